#!/usr/bin/env bash
# What admission costs, in one run:
#  1. SHA-256 on a model of SIZE (default 2GiB, from `preloader generate`): `preloader preload` of the same file with
#     its digest checked (an alias with sha256:) and without, warm (in the page cache) and cold (page cache dropped
#     before each run; needs root), for the mmap and buffer stores; beside `sha256sum` of the file, warm. The figure
#     is the CLI's own: the load alone (the hash included), without the JVM's start. The same loads again in a running
#     daemon (`serve`, POST /v1/models/ID/preload, the job's seconds), whose JVM is warm as a daemon's is: a CLI load
#     shares the CPUs with the new JVM's compiler threads. Each daemon load is of a new version of the file (its mtime
#     touched), so the verified-version memo does not skip the hash.
#  2. The checked catalog of a folder of 100 models (`GET /v1/models` of `serve`): the first listing, which reads
#     and checks every header, cold and warm, and the later ones, which look each verdict up; beside reading those
#     100 headers once (`head -c HEADER_BYTES` of the 100 files, in one process), warm and cold.
# Medians of RUNS runs; the table is printed last, each ratio against its same-run reference.
# Usage: bench/integrity.sh [SIZE (default 2GiB)] [RUNS (default 5)]   (as root, for the cold runs)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-2GiB}
runs=${2:-5}
dir=.cache/bench-integrity
vocab=.cache/gguf-fixtures/ggml-vocab-llama-spm.gguf
mkdir -p "$dir/models" "$dir/hundred"

./preloader --version >/dev/null   # builds the project when needed, outside the measurement
[ -f "$vocab" ] || scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures
model=$dir/models/model.gguf
[ -f "$model" ] && ./preloader inspect "$model" >/dev/null 2>&1 || ./preloader generate --vocab "$vocab" --size "$size" "$model" >&2
bytes=$(stat -c %s "$model")
digest=$([ -f "$model.digest" ] && [ "$model.digest" -nt "$model" ] && cat "$model.digest" || sha256sum "$model" | cut -d' ' -f1 | tee "$model.digest")

config() { # NAME STORE: the model as `plain` (no digest known) and as `checked` (its sha256 in the config)
  cat > "$dir/$1.yaml" <<EOF
models: ["$PWD/$dir/models"]
store: $2
budget: 90%
journal: "$PWD/$dir/journal-$1.tsv"
aliases:
  plain: "$PWD/$model"
  checked: {path: "$PWD/$model", sha256: "$digest"}
EOF
  echo "$dir/$1.yaml"
}
declare -A configs=([mmap]=$(config mmap mmap) [buffer]=$(config buffer buffer))

can_drop=no
if [ "$(id -u)" = 0 ] && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then can_drop=yes; fi
prepare() { # MODE
  if [ "$1" = cold ]; then sync; echo 3 > /proc/sys/vm/drop_caches; else cat "$model" > /dev/null; fi
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo n/a; fi; }

# One load: the seconds the CLI reports for it (the load alone).
load_seconds() { # STORE ID
  local out
  out=$(./preloader --config "${configs[$1]}" preload --no-progress "$2")
  echo "$out" | awk '{ for (i = 2; i <= NF; i++) if ($i == "in") { v = $(i+1); u = $(i+2); print (u == "ms" ? v / 1000 : v); exit } }'
}
sha256sum_seconds() {
  local start end
  start=$(date +%s.%N); sha256sum "$model" >/dev/null; end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }'
}

declare -A result
for mode in warm cold; do
  if [ "$mode" = cold ] && [ "$can_drop" = no ]; then echo "cold runs skipped: dropping the page cache needs root" >&2; continue; fi
  for store in mmap buffer; do
    # Interleaved, so that both see the same machine (other work on it comes and goes).
    plain=(); checked=()
    for ((r = 1; r <= runs; r++)); do
      prepare "$mode"; plain+=("$(load_seconds "$store" plain)")
      prepare "$mode"; checked+=("$(load_seconds "$store" checked)")
    done
    result[$store,plain,$mode]=$(printf '%s\n' "${plain[@]}" | median)
    result[$store,checked,$mode]=$(printf '%s\n' "${checked[@]}" | median)
    echo "$mode $store: plain ${plain[*]} s, checked ${checked[*]} s" >&2
  done
done
# --- 1b. the same loads in a running daemon
token="bench-integrity-token-0123456789abcdef"
api() { curl -s -H "Authorization: Bearer $token" "$@"; }
serve_start() { # STORE: starts serve on the model's folder; sets serve_pid and base
  cat > "$dir/serve-$1.yaml" <<EOF
models: ["$PWD/$dir/models"]
store: $1
budget: 90%
journal: "$PWD/$dir/journal-serve-$1.tsv"
http: {port: 0, token: "$token"}
aliases:
  plain: "$PWD/$model"
  checked: {path: "$PWD/$model", sha256: "$digest"}
EOF
  serve_log=$(mktemp); ./preloader serve --config "$dir/serve-$1.yaml" > "$serve_log" 2>&1 &
  serve_pid=$!
  until grep -q "listening on" "$serve_log"; do sleep 0.1; kill -0 $serve_pid 2>/dev/null || { cat "$serve_log" >&2; exit 1; }; done
  base="http://127.0.0.1:$(sed -nE 's/.*listening on http:\/\/127.0.0.1:([0-9]+).*/\1/p' "$serve_log" | head -1)"
}
serve_stop() { kill $serve_pid; wait $serve_pid 2>/dev/null || true; rm -f "$serve_log"; }
serve_seconds() { # MODE ID: one load of a new version of the file, by a daemon that holds nothing
  local job answer state
  # Evicted first: the mmap store drops the pages of a model it lets go, which would make a warm run cold.
  api -XPOST "$base/v1/models/plain/evict" >/dev/null; api -XPOST "$base/v1/models/checked/evict" >/dev/null
  prepare "$1"; shift
  touch -m "$model"
  job=$(api -XPOST "$base/v1/models/$1/preload" | jq -r .status)
  while :; do
    answer=$(api "$base$job"); state=$(jq -r .state <<<"$answer")
    [ "$state" = running ] || break
    sleep 0.02
  done
  [ "$state" = done ] || { echo "the daemon's load of $1 did not finish: $answer" >&2; serve_stop; exit 1; }
  jq -r .seconds <<<"$answer"
}
for store in mmap buffer; do
  serve_start "$store"
  for mode in warm cold; do
    if [ "$mode" = cold ] && [ "$can_drop" = no ]; then continue; fi
    plain=(); checked=()
    for ((r = 1; r <= runs; r++)); do
      plain+=("$(serve_seconds "$mode" plain)")
      checked+=("$(serve_seconds "$mode" checked)")
    done
    result[$store,serve-plain,$mode]=$(printf '%s\n' "${plain[@]}" | median)
    result[$store,serve-checked,$mode]=$(printf '%s\n' "${checked[@]}" | median)
    echo "serve $mode $store: plain ${plain[*]} s, checked ${checked[*]} s" >&2
  done
  serve_stop
done

samples=()
for ((r = 1; r <= runs; r++)); do prepare warm; samples+=("$(sha256sum_seconds)"); done
result[sha256sum]=$(printf '%s\n' "${samples[@]}" | median)
echo "warm sha256sum: ${samples[*]} s → median ${result[sha256sum]}" >&2

# --- 2. the checked catalog of 100 models: copies of the model's header with sparse tensor data, each its own file
one=$dir/one-64m.gguf
[ -f "$one" ] || ./preloader generate --vocab "$vocab" --size 64MiB "$one" >&2
one_header=$(./preloader inspect --json "$one" | jq .data_offset)
for i in $(seq -w 1 100); do
  f=$dir/hundred/m$i.gguf
  if [ ! -f "$f" ] || [ "$(stat -c %s "$f")" -ne "$(stat -c %s "$one")" ]; then
    head -c "$one_header" "$one" > "$f" && truncate -s "$(stat -c %s "$one")" "$f"
  fi
done
header_bytes=$(./preloader inspect --json "$dir/hundred/m001.gguf" | jq .data_offset)
cat > "$dir/hundred.yaml" <<EOF
models: ["$PWD/$dir/hundred"]
budget: 1GiB
journal: "$PWD/$dir/journal-hundred.tsv"
http: {port: 0, token: "$token"}
EOF
listing() { # MODE: seconds of the first GET /v1/models of a fresh server, then the median of 20 later ones
  local log port first later=()
  [ "$1" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
  log=$(mktemp); ./preloader serve --config "$dir/hundred.yaml" > "$log" 2>&1 &
  local pid=$!
  until grep -q "listening on" "$log"; do sleep 0.1; kill -0 $pid 2>/dev/null || { cat "$log" >&2; exit 1; }; done
  port=$(sed -nE 's/.*listening on http:\/\/127.0.0.1:([0-9]+).*/\1/p' "$log" | head -1)
  [ "$1" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
  first=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/models")
  for ((k = 0; k < 20; k++)); do later+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/models")"); done
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/models" | jq -e '[.models[] | select(.state == "on_disk")] | length == 100' >/dev/null \
    || { echo "the listing does not show 100 valid models" >&2; kill $pid; exit 1; }
  kill $pid; wait $pid 2>/dev/null || true; rm -f "$log"
  echo "$first $(printf '%s\n' "${later[@]}" | median)"
}
headers_seconds() { # MODE: one read of the 100 headers' bytes, the floor of a first listing
  local start end
  [ "$1" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
  start=$(date +%s.%N); head -q -c "$header_bytes" "$dir"/hundred/m*.gguf > /dev/null; end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}
for mode in warm cold; do
  if [ "$mode" = cold ] && [ "$can_drop" = no ]; then continue; fi
  firsts=(); laters=(); heads=()
  for ((r = 1; r <= runs; r++)); do
    read -r f l < <(listing "$mode"); firsts+=("$f"); laters+=("$l")
    heads+=("$(headers_seconds "$mode")")
  done
  result[list,first,$mode]=$(printf '%s\n' "${firsts[@]}" | median)
  result[list,later,$mode]=$(printf '%s\n' "${laters[@]}" | median)
  result[list,heads,$mode]=$(printf '%s\n' "${heads[@]}" | median)
  echo "$mode listing of 100: first ${firsts[*]} s, later ${laters[*]} s; reading the headers ${heads[*]} s" >&2
done

how() { if [ -n "$1" ]; then echo daemon; else echo cli; fi; }
gbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { if (s > 0) printf "%.2f", b / s / 1e9; else print "n/a" }'; }
echo
echo "admission cost, $(numfmt --to=iec "$bytes") model, medians of $runs runs; $(nproc) CPUs, $(uname -r), $(date -I), load average $(cut -d' ' -f1-3 /proc/loadavg)"
source scripts/jdk25.sh && find_jdk25
intrinsic=$("$JAVA_HOME/bin/java" -XX:+UnlockDiagnosticVMOptions -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "UseSHA256Intrinsics" { print $4 }')
echo "SHA-256: the JDK's MessageDigest ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1); UseSHA256Intrinsics=$intrinsic; CPU SHA extensions: $(grep -qw sha_ni /proc/cpuinfo && echo sha_ni || echo none)), on its own thread beside the store's reads"
printf '%-14s %-5s %12s %12s %9s %9s\n' store mode plain_s checked_s plain_GB/s checked_GB/s
for k in "" serve-; do
  for store in mmap buffer; do
    for mode in warm cold; do
      p=${result[$store,${k}plain,$mode]:-n/a}; c=${result[$store,${k}checked,$mode]:-n/a}
      printf '%-14s %-5s %12s %12s %9s %9s\n' "$store $(how "$k")" "$mode" "$p" "$c" "$(gbps "$p")" "$(gbps "$c")"
    done
  done
done
printf 'sha256sum warm: %s s, %s GB/s (coreutils %s)\n' "${result[sha256sum]}" "$(gbps "${result[sha256sum]}")" "$(sha256sum --version | head -1 | awk '{print $NF}')"
printf 'headers: 100 models of %s header bytes each (%s MiB in all)\n' "$header_bytes" "$((header_bytes * 100 / 1048576))"
printf '%-26s %10s %10s\n' "GET /v1/models of 100" warm cold
printf '%-26s %10s %10s\n' "first (reads the headers)" "${result[list,first,warm]:-n/a}" "${result[list,first,cold]:-n/a}"
printf '%-26s %10s %10s\n' "later (verdicts kept)" "${result[list,later,warm]:-n/a}" "${result[list,later,cold]:-n/a}"
printf '%-26s %10s %10s\n' "reading the 100 headers" "${result[list,heads,warm]:-n/a}" "${result[list,heads,cold]:-n/a}"
echo
for k in "" serve-; do
  for store in mmap buffer; do
    echo "cold $store $(how "$k"): checked / plain load time = $(ratio "${result[$store,${k}checked,cold]:-n/a}" "${result[$store,${k}plain,cold]:-n/a}") (goal <= 1.15)"
  done
  for store in mmap buffer; do
    echo "warm $store $(how "$k"): checked load GB/s / sha256sum GB/s = $(ratio "${result[sha256sum]}" "${result[$store,${k}checked,warm]:-n/a}") (goal >= 0.9)"
  done
done
echo "listing of 100: later / first (warm) = $(ratio "${result[list,later,warm]:-n/a}" "${result[list,first,warm]:-n/a}")"
for mode in warm cold; do
  echo "listing of 100, $mode: first listing / reading the headers once = $(ratio "${result[list,first,$mode]:-n/a}" "${result[list,heads,$mode]:-n/a}"), later listing / reading the headers once = $(ratio "${result[list,later,$mode]:-n/a}" "${result[list,heads,$mode]:-n/a}")"
done
