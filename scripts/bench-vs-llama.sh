#!/usr/bin/env bash
# Runs `qwen3 bench` and llama.cpp's `llama-bench` back to back, alternating, on the same GGUF, and prints both
# tables. The model is a random-weight GGUF with the exact Qwen3-0.6B architecture, Q8_0, generated on first use.
#
#   scripts/bench-vs-llama.sh /path/to/llama-bench [rounds] [threads]
#
# llama.cpp is not part of this repository: build it yourself (CPU only: cmake -B build -DGGML_NATIVE=ON &&
# cmake --build build --target llama-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
llama=${1:?usage: $0 /path/to/llama-bench [rounds] [threads]}
rounds=${2:-2}
threads=${3:-2}
dir=${QWEN_BENCH_DIR:-$HOME/.cache/qwenstudio/bench}
model="$dir/qwen3-0.6b-shape-q8_0.gguf"
mkdir -p "$dir"
go build -o "$dir/qwen3" ./cmd/qwen3
if [ ! -f "$model" ]; then
  "$dir/qwen3" gen --preset qwen3-0.6b-shape --type q8_0 -o "$model"
fi
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= rounds; i++)); do
  echo "== round $i: qwen3 bench"
  "$dir/qwen3" bench -m "$model" -p 512 -n 128 -r 3 -t "$threads"
  echo "== round $i: llama-bench"
  "$llama" -m "$model" -p 512 -n 128 -r 3 -t "$threads"
done
