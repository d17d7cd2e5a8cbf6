# R1Actors — the two commands a user needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

CONFIGURATION ?= Release
TORCH_BACKEND ?= cpu
DOTNET ?= dotnet
BUILD_FLAGS := -c $(CONFIGURATION) -p:TorchBackend=$(TORCH_BACKEND) --nologo
R1 := src/R1Actors/bin/$(CONFIGURATION)/net10.0/r1actors
# Benchmarks are their own executable (bench/R1Actors.Bench): not shipped in the daemon.
BENCH := bench/R1Actors.Bench/bin/$(CONFIGURATION)/net10.0/r1actors-bench
RUN_DIR ?= runs/default
JEMALLOC := /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
# libtorch frees memory that glibc's allocator keeps: jemalloc (or a low mmap threshold) keeps a
# days-long daemon flat. r1actors also sets the threshold itself at start-up.
RUNTIME_ENV := MALLOC_MMAP_THRESHOLD_=131072 $(if $(wildcard $(JEMALLOC)),LD_PRELOAD=$(JEMALLOC))

.PHONY: help setup build test test-nobody run train cluster compare bench clean

help:
	@echo "make run    train the embedded default (tiny policy, built-in task) and show the R1-Zero effect"
	@echo "make test   build and run every test (as root: the sandbox tests again as nobody, make test-nobody)"
	@echo "make train CONFIG=hocon/X.conf RUN_DIR=runs/NAME   train with a configuration (resumes in RUN_DIR)"
	@echo "make cluster  the default demo as a cluster run here: a learner node and SAMPLER_NODES=2 sampler nodes on 127.0.0.1 (runs/cluster-TIMESTAMP)"
	@echo "make compare  GRPO vs filter-and-SFT (rft online/offline) vs cold start + GRPO on the tiny task, one budget (runs/compare-TIMESTAMP)"
	@echo "make bench  run every benchmark (r1actors-bench)"
	@echo "make clean  remove build outputs (run folders under runs/ are kept)"

# Machine set-up the tests and the daemon need; each step is skipped when already done.
setup:
	@./build/setup.sh

build: setup
	$(DOTNET) build R1Actors.sln $(BUILD_FLAGS)

test: build
	$(RUNTIME_ENV) $(DOTNET) test R1Actors.sln $(BUILD_FLAGS) --no-build --logger "console;verbosity=minimal"
	@$(MAKE) --no-print-directory test-nobody

# The code-sandbox tests again as an unprivileged user (uid 65534), the way most users run R1Actors: the
# sandbox must hold without root too (rootless user namespaces). Runs when invoked as root; a copy of the
# built tests goes to a private temporary folder that user can read.
test-nobody:
	@if [ "$$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then echo "test-nobody: needs root and setpriv (util-linux); skipped"; exit 0; fi; \
	dir=$$(mktemp -d); trap 'rm -rf "$$dir"' EXIT; \
	cp -r tests/R1Actors.Rewards.Tests/bin/$(CONFIGURATION)/net10.0 "$$dir/bin" && chown -R 65534:65534 "$$dir" && \
	echo "sandbox tests as uid 65534:" && \
	HOME="$$dir" DOTNET_CLI_HOME="$$dir" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 $(RUNTIME_ENV) setpriv --reuid=65534 --regid=65534 --clear-groups \
		$(DOTNET) test "$$dir/bin/R1Actors.Rewards.Tests.dll" --filter "FullyQualifiedName~R1Actors.Rewards.Tests.Code" --results-directory "$$dir/results" --logger "console;verbosity=minimal"

# Every `make run` is a fresh demonstration in its own folder (runs/demo-TIMESTAMP), measured from the base model.
run: build
	$(RUNTIME_ENV) $(R1) train --config hocon/default.conf --run-dir runs/demo-$$(date +%Y%m%d-%H%M%S)

# A configuration of your choice, e.g. a real model on a GPU machine (README: Training a real model on a GPU machine).
CONFIG ?= hocon/default.conf
train: build
	$(RUNTIME_ENV) $(R1) train --config $(CONFIG) --run-dir $(RUN_DIR)

# The default demo over Akka.Cluster on this machine: a learner node and sampler nodes as separate processes (docs/cluster.md).
cluster: build
	$(RUNTIME_ENV) R1=$(R1) ./build/cluster-demo.sh

# R1-Zero against filter-and-SFT and a cold start before RL, on one budget of sampled completions (README: The question
# behind R1Actors). COMPARE_BUDGET=time=10m or samples=N,time=T also work; the same RUN_DIR resumes a killed comparison.
COMPARE_BUDGET ?= samples=102400
compare: build
	$(RUNTIME_ENV) $(R1) compare --config $(CONFIG) --budget $(COMPARE_BUDGET) --run-dir $(if $(filter runs/default,$(RUN_DIR)),runs/compare-$$(date +%Y%m%d-%H%M%S),$(RUN_DIR))

bench: build
	$(RUNTIME_ENV) $(BENCH) sampling
	$(RUNTIME_ENV) $(BENCH) learner
	$(RUNTIME_ENV) $(BENCH) verifiers
	$(RUNTIME_ENV) $(BENCH) pipeline
	$(RUNTIME_ENV) $(BENCH) pipeline-nodes
	$(RUNTIME_ENV) $(BENCH) memory

clean:
	$(DOTNET) clean R1Actors.sln -c $(CONFIGURATION) --nologo -v q
	rm -rf src/*/bin src/*/obj bench/*/bin bench/*/obj tests/*/bin tests/*/obj
