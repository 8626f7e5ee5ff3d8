#!/usr/bin/env bash
# Preload throughput of the RAM stores beside `dd bs=16M` of the same file (a model from `preloader generate`), in the same run, warm (file in the
# page cache) and cold (caches dropped before each run; needs root). Medians of RUNS runs; table printed last.
# Usage: bench/store-preload.sh [SIZE_MIB (default 1024)] [RUNS (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
runs=${2:-5}
dir=.cache/bench
file=$dir/bench-${size_mib}m.gguf
mkdir -p "$dir"

./preloader --version >/dev/null   # builds the project when needed, outside the measurement

# A valid model (the preloader admits only those): a real vocabulary's header, random weights.
vocab=.cache/gguf-fixtures/ggml-vocab-llama-spm.gguf
[ -f "$vocab" ] || scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures
if [ ! -f "$file" ] || ! ./preloader inspect "$file" >/dev/null 2>&1; then
  echo "writing $file (a ${size_mib} MiB model)…" >&2
  ./preloader generate --vocab "$vocab" --size "${size_mib}MiB" "$file" >&2
fi
bytes=$(stat -c %s "$file")

config() { # NAME YAML-LINES…: a config whose only model folder is the bench folder
  local name=$1; shift
  { echo "models: [\"$PWD/$dir\"]"; echo "budget: 90%"; echo "journal: \"$PWD/$dir/journal-$name.tsv\""; printf '%s\n' "$@"; } > "$dir/$name.yaml"
  echo "$dir/$name.yaml"
}
declare -A configs=(
  [mmap]=$(config mmap "store: mmap")
  [buffer]=$(config buffer "store: buffer")
  [buffer-odirect]=$(config buffer-odirect "store: buffer" "buffer: {direct_io: true}")
)

can_drop=no
if [ "$(id -u)" = 0 ] && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then can_drop=yes; fi
prepare() { # MODE
  if [ "$1" = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; else cat "$file" > /dev/null; fi
}

# one run of PATH, printing GB/s (10^9 bytes per second)
run_once() {
  local path=$1 out seconds
  if [ "$path" = dd ]; then
    out=$(LC_ALL=C dd if="$file" of=/dev/null bs=16M 2>&1 | grep copied)
    seconds=$(echo "$out" | sed -E 's/.*copied, ([0-9.e+-]+) s.*/\1/')
    awk -v b="$bytes" -v s="$seconds" 'BEGIN { printf "%.2f\n", b / s / 1e9 }'
  else
    # The CLI's own figure: the load alone, without the JVM's start.
    out=$(./preloader --config "${configs[$path]}" preload --no-progress "$file")
    echo "$out" | awk '{ for (i = 2; i <= NF; i++) if ($i == "GB/s") { print $(i-1); exit } }'
  fi
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

paths=(dd mmap buffer buffer-odirect)
declare -A result
for mode in warm cold; do
  if [ "$mode" = cold ] && [ "$can_drop" = no ]; then
    for p in "${paths[@]}"; do result[$p,$mode]="n/a"; done
    echo "cold runs skipped: dropping the page cache needs root" >&2
    continue
  fi
  for p in "${paths[@]}"; do
    samples=()
    for ((r = 1; r <= runs; r++)); do
      prepare "$mode"
      samples+=("$(run_once "$p")")
    done
    result[$p,$mode]=$(printf '%s\n' "${samples[@]}" | median)
    echo "$mode $p: ${samples[*]} GB/s → median ${result[$p,$mode]}" >&2
  done
done

ratio() { # A B
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "n/a"; fi
}

echo
echo "preload of a $size_mib MiB file, GB/s (10^9 B/s), median of $runs runs; $(nproc) CPUs, $(uname -r)"
printf '%-16s %10s %10s\n' path warm cold
for p in "${paths[@]}"; do
  printf '%-16s %10s %10s\n' "$p" "${result[$p,warm]}" "${result[$p,cold]}"
done
for p in mmap buffer buffer-odirect; do
  for mode in warm cold; do
    echo "ratio $p / dd ($mode): $(ratio "${result[$p,$mode]}" "${result[dd,$mode]}")"
  done
done
