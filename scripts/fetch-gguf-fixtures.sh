#!/usr/bin/env bash
# Fetches real GGUF files written by llama.cpp for the tests: the vocab files that the npm package node-llama-cpp
# ships inside its bundled llama.cpp git repository (3.21.1: versions 2 and 3; 2.7.4: a version 1 file).
# Usage: scripts/fetch-gguf-fixtures.sh DIR   (does nothing when DIR already holds them)
set -euo pipefail
dest=${1:?usage: fetch-gguf-fixtures.sh DIR}
[ -f "$dest/.complete" ] && exit 0
command -v npm >/dev/null || { echo "error: npm is needed to fetch the GGUF test files (apt-get install npm)" >&2; exit 1; }
command -v git >/dev/null || { echo "error: git is needed to unpack the GGUF test files" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$dest"

# unpack VERSION FILE... : copies models/FILE out of that package's llama.cpp bundle
unpack() {
  local version=$1; shift
  (cd "$work" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
  tar -xzf "$work/node-llama-cpp-$version.tgz" -C "$work" package/llama/gitRelease.bundle
  git clone -q --bare "$work/package/llama/gitRelease.bundle" "$work/llama-$version.git"
  local paths=()
  for f in "$@"; do paths+=("models/$f"); done
  git --git-dir="$work/llama-$version.git" archive HEAD "${paths[@]}" | tar -x -C "$work"
  rm -rf "$work/package"
}

unpack 3.21.1 ggml-vocab-llama-spm.gguf ggml-vocab-aquila.gguf ggml-vocab-phi-3.gguf ggml-vocab-bert-bge.gguf \
  ggml-vocab-gpt-2.gguf ggml-vocab-baichuan.gguf ggml-vocab-deepseek-coder.gguf ggml-vocab-qwen2.gguf
cp "$work"/models/*.gguf "$dest/"
rm -rf "$work/models"
unpack 2.7.4 ggml-vocab-llama.gguf
cp "$work/models/ggml-vocab-llama.gguf" "$dest/v1-ggml-vocab-llama.gguf"
touch "$dest/.complete"
echo "fetched $(ls "$dest"/*.gguf | wc -l) GGUF test files into $dest"
