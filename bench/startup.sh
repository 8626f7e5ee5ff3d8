#!/usr/bin/env bash
# Start-up of the CLI, whole commands, beside the same-run references an operator compares it with: `java -version`
# of the JDK the launcher runs, `vmtouch -v` of the models folder (for `status`) and `vmtouch -t` of a model already
# in the page cache (for `preload`). Medians of RUNS runs, the commands interleaved (timed by bash's $EPOCHREALTIME, as
# a loop of `date +%s%N` would without its forks); the machine's load is printed with the figures. With BASELINE=DIR (a built checkout of other code, e.g. the code
# before a change) its ./preloader runs the same commands in the same run, and each of its figures gets a ratio too.
# The table comes last, then each ratio on a line of its own.
# Usage: bench/startup.sh [SIZE (default 2GiB)] [RUNS (default 10)]   (BASELINE=DIR bench/startup.sh …)
#   one model of SIZE (generated once, in .cache/bench-startup) for `preload` and `inspect`; `status` lists 20 hard links
#   to a small model and 20 to that one
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2GiB}
runs=${2:-10}
dir=$PWD/.cache/bench-startup
vocab=.cache/gguf-fixtures/ggml-vocab-llama-spm.gguf
baseline=${BASELINE:-}
[ -z "$baseline" ] || [ -x "$baseline/preloader" ] || { echo "error: BASELINE=$baseline has no ./preloader" >&2; exit 2; }

source scripts/jdk25.sh
find_jdk25
command -v vmtouch >/dev/null || { echo "error: vmtouch not found (apt-get install vmtouch)" >&2; exit 2; }

./preloader --version >/dev/null   # builds the project (and its AOT cache) when needed, outside the measurement
[ -z "$baseline" ] || "$baseline/preloader" --version >/dev/null
[ -f "$vocab" ] || scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures

mkdir -p "$dir/models" "$dir/big"
big="$dir/big/bench-$size.gguf"
[ -f "$big" ] || ./preloader generate --vocab "$vocab" --size "$size" "$big" >&2
# The 20 models of status, as hard links (one copy on disk and in the page cache; each a file of its own to map and
# ask): of llama.cpp's vocabulary file (707 KiB, a model without tensors), where reading the residency costs next to
# nothing and start-up is what is measured; and of the model of SIZE, where it is the residency of 20 × SIZE.
mkdir -p "$dir/small"
for i in $(seq -w 0 19); do
  [ -f "$dir/small/model-$i.gguf" ] || ln "$vocab" "$dir/small/model-$i.gguf"
  [ -f "$dir/models/model-$i.gguf" ] || ln "$big" "$dir/models/model-$i.gguf"
done
printf 'models: [%s]\nstore: mmap\njournal: %s\n' "$dir/small" "$dir/journal-small.tsv" > "$dir/status-small.yaml"
printf 'models: [%s]\nstore: mmap\njournal: %s\n' "$dir/models" "$dir/journal.tsv" > "$dir/status.yaml"
printf 'models: [%s]\nstore: mmap\njournal: %s\n' "$dir/big" "$dir/journal-big.tsv" > "$dir/preload.yaml"
cat "$big" "$vocab" > /dev/null   # in the page cache: the warm case

# name|command line: the references first, then each launcher's commands
rows=("java -version|$JAVA_HOME/bin/java -version"
      "vmtouch -v (20 small models)|vmtouch -h -v $dir/small"
      "vmtouch -v (20 models of $size)|vmtouch -h -v $dir/models"
      "vmtouch -t ($size, warm)|vmtouch -t $big")
launchers=("$PWD")
[ -z "$baseline" ] || launchers+=("$baseline")
for root in "${launchers[@]}"; do
  tag=$([ "$root" = "$PWD" ] && echo "" || echo " [baseline]")
  rows+=("preloader --version$tag|$root/preloader --version"
         "preloader --help$tag|$root/preloader --help"
         "preloader status (20 small models)$tag|$root/preloader --config $dir/status-small.yaml status"
         "preloader status (20 models of $size)$tag|$root/preloader --config $dir/status.yaml status"
         "preloader inspect$tag|$root/preloader inspect $big"
         "preloader preload ($size, warm)$tag|$root/preloader --config $dir/preload.yaml preload --no-progress $big")
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A seconds
for row in "${rows[@]}"; do   # once each, outside the measurement: a failure stops the run
  cmd=${row#*|}
  # shellcheck disable=SC2086  # the command is a command line
  $cmd > /dev/null 2>&1 || { echo "error: '$cmd' failed:" >&2; $cmd >&2 || true; exit 1; }
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# The rows interleaved, run after run, so that a change in the machine's load falls on all of them alike.
times="$dir/times.tsv"
: > "$times"
for run in $(seq "$runs"); do
  for i in "${!rows[@]}"; do
    cmd=${rows[i]#*|}
    t0=${EPOCHREALTIME/./}   # microseconds, without the fork of a date command
    # shellcheck disable=SC2086
    $cmd > /dev/null 2>&1
    t1=${EPOCHREALTIME/./}
    printf '%s\t%s\n' "$i" "$(( t1 - t0 ))" >> "$times"
  done
done
for i in "${!rows[@]}"; do
  seconds[${rows[i]%%|*}]=$(awk -F'\t' -v i="$i" '$1 == i { print $2 }' "$times" | median | awk '{ printf "%.4f", $1 / 1e6 }')
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "start-up, whole commands: medians of $runs runs, interleaved; $(nproc) CPUs"
echo "load average before: $load_before, after: $load_after (uptime: $(uptime | sed 's/.*up *//; s/,.*//'))"
printf '%-50s %9s\n' "command" "seconds"
for row in "${rows[@]}"; do
  name=${row%%|*}
  printf '%-50s %9.3f\n' "$name" "${seconds[$name]}"
done
ratio() { awk -v a="$2" -v b="$3" -v n="$1" 'BEGIN { printf "ratio %s: %.2f\n", n, a / b }'; }
for root in "${launchers[@]}"; do
  tag=$([ "$root" = "$PWD" ] && echo "" || echo " [baseline]")
  ratio "preloader --version$tag / java -version" "${seconds[preloader --version$tag]}" "${seconds[java -version]}"
  ratio "preloader status (20 small models)$tag / vmtouch -v" "${seconds[preloader status (20 small models)$tag]}" "${seconds[vmtouch -v (20 small models)]}"
  ratio "preloader status (20 models of $size)$tag / vmtouch -v" "${seconds[preloader status (20 models of $size)$tag]}" "${seconds[vmtouch -v (20 models of $size)]}"
  ratio "preloader preload warm$tag / vmtouch -t" "${seconds[preloader preload ($size, warm)$tag]}" "${seconds[vmtouch -t ($size, warm)]}"
done
if [ -n "$baseline" ]; then
  for what in "--version" "--help" "status (20 small models)" "status (20 models of $size)" "inspect" "preload ($size, warm)"; do
    ratio "preloader $what / baseline" "${seconds[preloader $what]}" "${seconds[preloader $what [baseline]]}"
  done
fi
for goal in "--version|0.12" "status (20 small models)|0.15" "status (20 models of $size)|0.15" "preload ($size, warm)|0.3"; do
  what=${goal%%|*} limit=${goal#*|}
  ratio "preloader $what / its goal of $limit s" "${seconds[preloader $what]}" "$limit"
done
