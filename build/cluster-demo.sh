#!/usr/bin/env bash
# make cluster: the embedded default as a cluster run on this machine: a learner node that only learns and
# SAMPLER_NODES sampler nodes (default 2) joining it over 127.0.0.1 (README: Beyond one machine; docs/cluster.md).
# Every process logs to its own folder under RUN_DIR; the sampler nodes are stopped (SIGTERM) when the learner ends.
set -euo pipefail
R1=${R1:?the r1actors binary}
RUN_DIR=${RUN_DIR:-runs/cluster-$(date +%Y%m%d-%H%M%S)}
PORT=${CLUSTER_PORT:-4053}
NODES=${SAMPLER_NODES:-2}
STEPS=${CLUSTER_STEPS:-300}
COMMON=(--config hocon/default.conf --set r1.cluster.enabled=true --set r1.cluster.hostname=127.0.0.1 --set r1.run.max-duration=0)
mkdir -p "$RUN_DIR"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
"$R1" train "${COMMON[@]}" --run-dir "$RUN_DIR/learner" --set r1.cluster.port="$PORT" --set 'r1.pipeline.devices=[]' \
  --set r1.pipeline.max-steps="$STEPS" --set r1.pipeline.max-staleness=2 &
learner=$!
for i in $(seq 1 "$NODES"); do
  "$R1" sampler "${COMMON[@]}" --run-dir "$RUN_DIR/sampler-$i" --set r1.cluster.port=0 --set r1.logging.console=false \
    --set "r1.cluster.seed-nodes=[\"127.0.0.1:$PORT\"]" --set r1.cluster.node-name="sampler-$i" &
  pids+=($!)
done
wait "$learner"
echo "cluster run in $RUN_DIR: learner in $RUN_DIR/learner, sampler nodes in $RUN_DIR/sampler-*"
