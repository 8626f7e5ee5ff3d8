#!/usr/bin/env bash
# A real worker's time to ready on a model that is cold, preloaded by the preloader (each store), warmed by
# `vmtouch -t`, or read once with `cat`; and the floor: the same worker with the file already fully in the page
# cache. The worker is llama.cpp as node-llama-cpp 3.21.1 ships it prebuilt for linux-x64, driven by
# bench/worker/worker.mjs; the model is a llama GGUF with random weights and a real vocabulary, written once. Its
# weights are BF16 by default: on a CPU with AMX llama.cpp copies F16 weights out of the mapping into AMX buffers at
# every load (a cost that no page cache saves), while BF16 weights it serves from the mapping, as a worker should.
# Before every run but the floor's the page cache is dropped and the tools are read back into it (node, the worker's
# modules, the JDK, the preloader's jars), so that only the model is cold: the worker's own start is not measured.
# Medians of RUNS runs, the runs of every path interleaved; table printed last, then one ratio a line.
# Usage: bench/worker-start.sh [SIZE (default 2GiB)] [RUNS (default 5)] [TYPE: bf16 (default), f16, f32]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2GiB}
runs=${2:-5}
type=${3:-bf16}
dir=$PWD/.cache/bench-worker
model=$dir/llama-${size,,}-$type.gguf
worker=bench/worker/worker.mjs
vocab=.cache/gguf-fixtures/ggml-vocab-llama-spm.gguf
mkdir -p "$dir"

if [ "$(id -u)" != 0 ] || ! { sync && echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
  echo "error: bench/worker-start.sh drops the page cache before each run: run it as root" >&2
  exit 1
fi

# --- set-up, outside the measurements -----------------------------------------------------------------------------
./preloader --version >/dev/null            # builds the project when needed, outside the measurements
if ! command -v vmtouch >/dev/null; then
  echo "installing vmtouch (apt-get)…" >&2
  apt-get install -y -qq vmtouch >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq vmtouch >/dev/null; }
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "error: node and npm are needed for the llama.cpp worker" >&2; exit 1; }
if [ ! -d bench/worker/node_modules/@node-llama-cpp/linux-x64 ]; then
  echo "installing node-llama-cpp 3.21.1 into bench/worker/node_modules (prebuilt linux-x64 binary, no build)…" >&2
  (cd bench/worker && npm install --ignore-scripts --omit=optional --no-audit --no-fund --silent)
fi
[ -f "$vocab" ] || scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures
[ -f "$model" ] || ./preloader generate --vocab "$vocab" --size "$size" --type "$type" "$model" >&2
bytes=$(stat -c %s "$model")

config() { # NAME YAML-LINES…: a config whose only models folder is the bench folder
  local name=$1; shift
  { echo "models: [\"$dir\"]"; echo "budget: 90%"; echo "journal: \"$dir/journal-$name.tsv\""; printf '%s\n' "$@"; } > "$dir/$name.yaml"
  echo "$dir/$name.yaml"
}
declare -A configs=(
  [mmap]=$(config mmap "store: mmap")
  [mmap-lock]=$(config mmap-lock "store: mmap" "mmap: {lock: true}")
  [buffer]=$(config buffer "store: buffer")
)

# --- measurements ---------------------------------------------------------------------------------------------------
source scripts/jdk25.sh && find_jdk25
node_binary=$(readlink -f "$(command -v node)")
mapfile -t tools < <(echo "$node_binary"; ldd "$node_binary" | awk '$3 ~ /^\// { print $3 }'; printf '%s\n' bench/worker "$JAVA_HOME" app/target/preloader.jar app/target/lib)
drop() { # the page cache dropped, the tools read back: only the model is cold
  sync; echo 3 > /proc/sys/vm/drop_caches
  vmtouch -tqf "${tools[@]}" >/dev/null
}
resident() { vmtouch "$model" | awk '/Resident Pages/ { split($3, p, "/"); printf "%.0f%%", 100 * p[1] / p[2] }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
field() { # REGEX TEXT: the first number the regex's group catches
  sed -nE "s/.*$1.*/\\1/p" <<< "$2" | head -1
}

# The worker alone: seconds from its launch to its ready line (it exits right after with --exit).
worker_alone() {
  local start now ready="" line out=""
  start=$EPOCHREALTIME
  while IFS= read -r line; do
    now=$EPOCHREALTIME
    out+="$line"$'\n'
    if [ -z "$ready" ] && [[ $line == ready* ]]; then ready=$(elapsed "$start" "$now"); fi
  done < <(node "$worker" "$model" --exit 2>&1)
  [ -n "$ready" ] || { echo "error: the worker never became ready; its output:" >&2; printf '%s' "$out" >&2; exit 1; }
  echo "$ready"
}

# Wall seconds of a command, its output discarded.
wall() {
  local start end
  start=$EPOCHREALTIME
  "$@" >/dev/null
  end=$EPOCHREALTIME
  elapsed "$start" "$end"
}

# `preloader preload` with a store: "IN-PROCESS WALL" seconds (the load as the CLI reports it; the whole command).
preload_cli() {
  local start end out
  start=$EPOCHREALTIME
  out=$(./preloader --config "${configs[$1]}" preload --no-progress "$model")
  end=$EPOCHREALTIME
  echo "$(field ' in +([0-9.]+) s' "$out") $(elapsed "$start" "$end")"
}

# `preloader spawn` with a store, in one process: "LOAD READY WALL" seconds (the model's load, the worker's time to
# ready, as the CLI reports them; the whole command).
spawn_cli() {
  local start end out
  start=$EPOCHREALTIME
  out=$(./preloader --config "${configs[$1]}" spawn "$model" --ready-line '^ready' --stop-when-ready --quiet-worker -- node "$worker" '{model}')
  end=$EPOCHREALTIME
  echo "$(field 'model .*, in ([0-9.]+) s' "$out") $(field 'ready in ([0-9.]+) s' "$out") $(elapsed "$start" "$end")"
}

paths=(cold floor preload-mmap preload-mmap-lock spawn-buffer spawn-mmap vmtouch cat)
declare -A label=(
  [cold]="cold (model not cached)"
  [floor]="floor (file fully cached)"
  [preload-mmap]="preloader preload, mmap"
  [preload-mmap-lock]="preloader preload, mmap+lock"
  [spawn-buffer]="preloader spawn, buffer"
  [spawn-mmap]="preloader spawn, mmap"
  [vmtouch]="vmtouch -t"
  [cat]="cat > /dev/null"
)
declare -A ready_s prep_s prep_wall_s
add() { eval "$1[\$2]+=\"\$3 \""; }

cat "$model" > /dev/null   # the floor's runs start from a fully cached file
echo "worker-start: $model ($bytes bytes), $runs runs of each path, interleaved" >&2
for ((r = 1; r <= runs; r++)); do
  for p in "${paths[@]}"; do
    last=""
    case $p in
      cold) drop ;;
      floor) [ "$(resident)" = "100%" ] || cat "$model" > /dev/null ;;
      preload-mmap|preload-mmap-lock)
        drop; read -r inproc w <<< "$(preload_cli "${p#preload-}")"
        add prep_s "$p" "$inproc"; add prep_wall_s "$p" "$w"; last="$inproc s in-process, $w s command" ;;
      spawn-buffer|spawn-mmap)
        drop; read -r load ready w <<< "$(spawn_cli "${p#spawn-}")"
        add prep_s "$p" "$load"; add ready_s "$p" "$ready"   # its command also runs and stops the worker: no prep wall
        echo "run $r $p: load ${load} s, worker ready in ${ready} s (command ${w} s)" >&2
        continue ;;
      vmtouch) drop; w=$(wall vmtouch -tq "$model"); add prep_s "$p" "$w"; add prep_wall_s "$p" "$w"; last="$w s" ;;
      cat) drop; w=$(wall sh -c 'cat "$1" > /dev/null' sh "$model"); add prep_s "$p" "$w"; add prep_wall_s "$p" "$w"; last="$w s" ;;
    esac
    cached=$(resident)
    t=$(worker_alone)
    add ready_s "$p" "$t"
    echo "run $r $p: ${last:+preparation $last, }${cached} cached at the start, worker ready in ${t} s" >&2
  done
done

median() { tr ' ' '\n' | awk '/^[0-9.]+$/' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { tr ' ' '\n' | awk '/^[0-9.]+$/' | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR == 0) print "-"; else printf "%.2f-%.2f\n", lo, hi }'; }
ratio() { if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "n/a"; fi; }
declare -A ready ready_range prep prep_wall
for p in "${paths[@]}"; do
  ready[$p]=$(median <<< "${ready_s[$p]:-}")
  ready_range[$p]=$(spread <<< "${ready_s[$p]:-}")
  prep[$p]=$(median <<< "${prep_s[$p]:-}")
  prep_wall[$p]=$(median <<< "${prep_wall_s[$p]:-}")
done

echo
echo "worker time to ready: llama.cpp (node-llama-cpp 3.21.1, CPU, mmap) on $(basename "$model") ($(awk -v b="$bytes" 'BEGIN { printf "%.2f GiB", b / 2^30 }'), ${type^^} weights)"
echo "seconds, median of $runs runs; $(nproc) CPUs, $(uname -r); preparation = preload/warm-up before the worker;"
echo "each run but the floor's starts from a dropped page cache with the tools (node, worker, JDK, jars) read back"
echo "(for 'preloader': the load as the CLI reports it, and the whole preload command with the JVM's start)"
printf '%-30s %12s %13s %13s %12s\n' path preparation "prep command" "worker ready" "(min-max)"
for p in "${paths[@]}"; do
  printf '%-30s %12s %13s %13s %12s\n' "${label[$p]}" "${prep[$p]}" "${prep_wall[$p]}" "${ready[$p]}" "${ready_range[$p]}"
done
echo
for p in preload-mmap preload-mmap-lock spawn-buffer spawn-mmap vmtouch cat; do
  echo "ratio worker ready after ${label[$p]} / floor (goal <= 1.10): $(ratio "${ready[$p]}" "${ready[floor]}")"
done
for p in preload-mmap preload-mmap-lock spawn-buffer spawn-mmap; do
  echo "ratio ${label[$p]} load / vmtouch -t (goal <= 1.00): $(ratio "${prep[$p]}" "${prep[vmtouch]}")"
done
for p in preload-mmap preload-mmap-lock; do
  echo "ratio ${label[$p]} whole command (JVM start included) / vmtouch -t: $(ratio "${prep_wall[$p]}" "${prep_wall[vmtouch]}")"
done
for p in floor preload-mmap preload-mmap-lock spawn-buffer spawn-mmap vmtouch cat; do
  echo "ratio cold / ${label[$p]}: $(ratio "${ready[cold]}" "${ready[$p]}")"
done
