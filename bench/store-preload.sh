#!/usr/bin/env bash
# `preloader preload` through each RAM store beside the tools an operator compares it with, on a valid model written
# by `preloader generate`, warm (file in the page cache) and cold (page cache dropped; needs root), in one run:
#   vmtouch -t FILE · cat FILE > /dev/null · dd if=FILE of=/dev/null bs=16M · dd if=FILE of=/dev/shm/x bs=16M (fresh
#   memory filled by read(2): the fair reference for a store that copies into new memory; removed after each run)
#   · preload with the mmap, mmap + lock, buffer, buffer + O_DIRECT and hugepages stores · a reload: two names of the
#   same file (a hard link) preloaded under a budget that holds one, so the second load follows the first's eviction
#   (into reused memory where the store keeps it).
# Each preload is timed twice: the whole command from outside (JVM start included) and the load alone (the CLI's own
# GB/s). With BASELINE=DIR (a built checkout of other code, e.g. the code before a change) every preload row is run
# by that checkout's launcher too, in the same runs, so "before" and "after" share the machine's state.
# The runs of all rows are interleaved; before each the script waits SETTLE seconds, so that memory freed by the run
# before is handed back to the host (these VMs report free pages to the hypervisor after ~2 s, and memory the host
# still backs is cheaper to touch than the fresh memory a real load gets). After dropping the page cache the JDK and
# the launchers' jars are read back, so a cold run finds only the model cold. Medians of RUNS runs; the table is
# printed last, then each ratio against its same-run reference on its own line.
# Usage: [RUNS=5] [SETTLE=3] [BASELINE=DIR] [ROWS="…"] bench/store-preload.sh [SIZE… (default 2GiB 8GiB)]   (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
settle=${SETTLE:-3}
baseline=${BASELINE:-}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2GiB 8GiB)
dir=$PWD/.cache/bench
vocab=.cache/gguf-fixtures/ggml-vocab-llama-spm.gguf
mkdir -p "$dir"

# --- set-up, outside the measurements -----------------------------------------------------------------------------
if [ "$(id -u)" != 0 ] || ! { sync && echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then
  echo "error: bench/store-preload.sh drops the page cache for its cold runs: run it as root" >&2
  exit 1
fi
if ! command -v vmtouch >/dev/null; then
  echo "installing vmtouch (apt-get)…" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq vmtouch >/dev/null 2>&1 \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq vmtouch >/dev/null; }
fi
launchers=("$PWD/preloader")
if [ -n "$baseline" ]; then
  baseline=$(cd "$baseline" && pwd)
  [ -x "$baseline/preloader" ] || { echo "error: BASELINE=$baseline has no ./preloader launcher" >&2; exit 1; }
  launchers+=("$baseline/preloader")
fi
for l in "${launchers[@]}"; do "$l" --version >/dev/null; done   # builds a checkout when needed, outside the measurements
[ -f "$vocab" ] || scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures
source scripts/jdk25.sh && find_jdk25
tools=("$JAVA_HOME")
for l in "${launchers[@]}"; do tools+=("$(dirname "$l")/app/target/preloader.jar" "$(dirname "$l")/app/target/lib"); done

config() { # NAME BUDGET YAML-LINES…: a config whose only models folder is the bench folder
  local name=$1 budget=$2; shift 2
  { echo "models: [\"$dir\"]"; echo "budget: $budget"; echo "journal: \"$dir/journal-$name.tsv\""; printf '%s\n' "$@"; } > "$dir/$name.yaml"
  echo "$dir/$name.yaml"
}
store_lines() { # STORE: the config lines that pick it
  case $1 in
    mmap) echo "store: mmap" ;;
    mmap-lock) printf '%s\n' "store: mmap" "mmap: {lock: true}" ;;
    buffer) echo "store: buffer" ;;
    buffer-odirect) printf '%s\n' "store: buffer" "buffer: {direct_io: true}" ;;
    hugepages) echo "store: hugepages" ;;
    *) echo "error: no store $1" >&2; exit 1 ;;
  esac
}
# A row is a tool, "preload STORE" or "reload STORE", the latter two once per launcher.
default_rows="vmtouch cat dd-null dd-shm preload:mmap preload:mmap-lock preload:buffer preload:buffer-odirect preload:hugepages reload:buffer reload:hugepages"
read -ra rows <<< "${ROWS:-$default_rows}"
expanded=()
for row in "${rows[@]}"; do
  case $row in
    preload:*|reload:*) for i in "${!launchers[@]}"; do expanded+=("$row@$i"); done ;;
    *) expanded+=("$row") ;;
  esac
done

# --- measurements ---------------------------------------------------------------------------------------------------
prepare() { # MODE FILE: warm reads the file into the page cache; cold drops it and reads the tools back
  if [ "$1" = cold ]; then
    sync; echo 1 > /proc/sys/vm/drop_caches   # the page cache only: file names and inodes stay cached, as on a host in use
    vmtouch -tqf "${tools[@]}" >/dev/null
  else
    cat "$2" > /dev/null
  fi
  sleep "$settle"
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
nth_rate() { # N TEXT: the GB/s figure of the CLI's Nth "preloaded" line
  awk -v n="$1" '/^preloaded/ && ++seen == n { for (i = 2; i <= NF; i++) if ($i == "GB/s") { print $(i-1); exit } }' <<< "$2"
}

# One run of ROW on FILE; prints "SECONDS GBPS" (whole command, and the load alone or bytes over seconds for a tool).
run_once() {
  local row=$1 file=$2 bytes=$3 config=$4 start end out launcher=""
  [[ $row == *@* ]] && launcher=${launchers[${row##*@}]}
  start=$EPOCHREALTIME
  case ${row%@*} in
    vmtouch) vmtouch -tq "$file" ;;
    cat) cat "$file" > /dev/null ;;
    dd-null) dd if="$file" of=/dev/null bs=16M status=none ;;
    dd-shm) dd if="$file" of=/dev/shm/store-preload-bench bs=16M status=none ;;
    preload:*)
      out=$("$launcher" --config "$config" preload --no-progress "$file" 2>"$dir/stderr") || { cat "$dir/stderr" >&2; exit 1; } ;;
    reload:*)
      out=$("$launcher" --config "$config" preload --no-progress "$file" "${file%.gguf}-again.gguf" 2>"$dir/stderr") \
        || { cat "$dir/stderr" >&2; exit 1; } ;;
  esac
  end=$EPOCHREALTIME
  rm -f /dev/shm/store-preload-bench
  local seconds; seconds=$(elapsed "$start" "$end")
  case ${row%@*} in
    preload:*) echo "$seconds $(nth_rate 1 "$out")" ;;
    reload:*) echo "- $(nth_rate 2 "$out")" ;;
    *) echo "$seconds $(rate "$bytes" "$seconds")" ;;
  esac
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0 || a[1] == "-") print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A result     # SIZE,ROW,MODE,{s,gbps} → median
declare -A sizebytes
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for size in "${sizes[@]}"; do
  file=$dir/model-${size,,}.gguf
  [ -f "$file" ] || ./preloader generate --vocab "$vocab" --size "$size" "$file" >&2
  ln -f "$file" "${file%.gguf}-again.gguf"   # the reload's second name: another model id, the same pages
  bytes=$(stat -c %s "$file")
  sizebytes[$size]=$bytes
  declare -A conf=()
  for row in "${rows[@]}"; do
    case $row in
      preload:*) conf[$row]=$(config "${row#*:}" 90% "$(store_lines "${row#*:}")") ;;
      reload:*) conf[$row]=$(config "reload-${row#*:}" $((bytes * 3 / 2)) "$(store_lines "${row#*:}")") ;;
    esac
  done
  for mode in warm cold; do
    declare -A s_samples=() g_samples=()
    for ((r = 1; r <= runs; r++)); do
      for row in "${expanded[@]}"; do
        [[ $mode == cold && $row == reload:* ]] && continue   # the second name finds the pages the first load read
        prepare "$mode" "$file"
        read -r s g <<< "$(run_once "$row" "$file" "$bytes" "${conf[${row%@*}]:-}")"
        [ -n "${g:-}" ] || { echo "error: $row on $file gave no figure (its output is above)" >&2; exit 1; }
        s_samples[$row]+="$s "; g_samples[$row]+="$g "
        echo "$size $mode run $r: $row ${s}s ${g} GB/s" >&2
      done
    done
    for row in "${expanded[@]}"; do
      [[ $mode == cold && $row == reload:* ]] && { result[$size,$row,$mode,s]=-; result[$size,$row,$mode,g]=-; continue; }
      result[$size,$row,$mode,s]=$(tr ' ' '\n' <<< "${s_samples[$row]}" | grep -v '^$' | median)
      result[$size,$row,$mode,g]=$(tr ' ' '\n' <<< "${g_samples[$row]}" | grep -v '^$' | median)
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ---------------------------------------------------------------------------------------------------------
label() { # ROW: how the table names it
  local row=$1 who=""
  [[ $row == *@1 ]] && who=" (baseline)"
  case ${row%@*} in
    vmtouch) echo "vmtouch -t" ;;
    cat) echo "cat > /dev/null" ;;
    dd-null) echo "dd of=/dev/null bs=16M" ;;
    dd-shm) echo "dd of=/dev/shm/x bs=16M" ;;
    preload:*) echo "preload ${row#preload:}" | sed 's/@.*//'; ;;
    reload:*) echo "reload ${row#reload:}" | sed 's/@.*//' ;;
  esac | sed "s/\$/$who/"
}
ratio() { # A B: A / B, or n/a
  if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
  else
    echo "n/a"
  fi
}

echo
echo "store-preload: medians of $runs runs, settle ${settle}s; $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r);"
echo "load average $load_before at the start, $load_after at the end; this checkout $(git rev-parse --short HEAD)${baseline:+, baseline $baseline at $(git -C "$baseline" rev-parse --short HEAD)}"
echo "s = whole command (JVM start included); GB/s = the load alone (the CLI's figure) or, for a tool, the file over its time"
for size in "${sizes[@]}"; do
  echo
  printf '%-36s %9s %9s %9s %9s\n' "$size ($((sizebytes[$size])) B)" "warm s" "warm GB/s" "cold s" "cold GB/s"
  for row in "${expanded[@]}"; do
    printf '%-36s %9s %9s %9s %9s\n' "$(label "$row")" "${result[$size,$row,warm,s]}" "${result[$size,$row,warm,g]}" \
      "${result[$size,$row,cold,s]}" "${result[$size,$row,cold,g]}"
  done
done
echo
has() { [[ " ${expanded[*]} " == *" $1 "* ]]; }
for size in "${sizes[@]}"; do
  r() { echo "${result[$size,$1,$2,$3]:-n/a}"; }
  for i in "${!launchers[@]}"; do
    who=""; [ "$i" = 1 ] && who=" (baseline)"
    for store in mmap mmap-lock; do
      has "preload:$store@$i" || continue
      echo "ratio $size preload $store$who cold, whole command / vmtouch -t: $(ratio "$(r "preload:$store@$i" cold s)" "$(r vmtouch cold s)") (goal ≤ 1.0)"
      echo "ratio $size preload $store$who warm, whole command / vmtouch -t: $(ratio "$(r "preload:$store@$i" warm s)" "$(r vmtouch warm s)") (goal ≤ 10, or ≤ 0.3 s)"
      echo "ratio $size preload $store$who cold, load alone / vmtouch -t (GB/s): $(ratio "$(r "preload:$store@$i" cold g)" "$(r vmtouch cold g)") (goal ≥ 1.0)"
    done
    for store in buffer buffer-odirect hugepages; do
      has "preload:$store@$i" || continue
      echo "ratio $size preload $store$who warm / dd of=/dev/shm (GB/s): $(ratio "$(r "preload:$store@$i" warm g)" "$(r dd-shm warm g)") (goal ≥ 1.5)"
      echo "ratio $size preload $store$who cold / dd of=/dev/null (GB/s): $(ratio "$(r "preload:$store@$i" cold g)" "$(r dd-null cold g)") (goal ≥ 0.95)"
    done
    for store in buffer hugepages; do
      has "reload:$store@$i" || continue
      echo "ratio $size reload $store$who / dd of=/dev/null warm (GB/s): $(ratio "$(r "reload:$store@$i" warm g)" "$(r dd-null warm g)") (goal ≥ 0.8)"
    done
  done
  if [ ${#launchers[@]} -gt 1 ]; then
    for row in "${rows[@]}"; do
      [[ $row == preload:* || $row == reload:* ]] || continue
      for mode in warm cold; do
        [[ $mode == cold && $row == reload:* ]] && continue
        echo "ratio $size ${row/:/ } $mode, this / baseline: load GB/s $(ratio "$(r "$row@0" $mode g)" "$(r "$row@1" $mode g)"), whole command s $(ratio "$(r "$row@0" $mode s)" "$(r "$row@1" $mode s)")"
      done
    done
  fi
done
