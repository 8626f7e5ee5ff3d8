#!/usr/bin/env bash
# The release's done-when test. Unpacks the tarball into a temporary folder and, with JAVA_HOME unset and a PATH whose
# `java`, `javac` and `mvn` are traps that record any call (so neither the JDK 25 nor /usr/bin/java 17 nor Maven can
# serve it): bin/preloader --version and demo; every store on the bundled runtime; the systemd unit, its ExecStart
# pointed at the unpacked bin/preloader, through `systemd-analyze verify` (and a unit naming a missing command must
# fail it) and `systemd-analyze security --offline=true` (exposure at most 4.0); `serve` until /v1/health answers,
# with the token handed over as systemd's credential; the start-up caches used where the release is unpacked, and a
# stale one noticed; promtool on a scrape; a real Prometheus scraping it (up == 1,
# the README's hit-rate query); every Grafana expression against the scrape and that Prometheus; a graceful SIGTERM.
# Usage: packaging/test/release-test.sh [dist/preloader-VERSION-linux-x64.tar.gz]   (default: the one in dist/;
#        RELEASE_TEST_KEEP=1 keeps the temporary folder, its logs and the unpacked release)
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tarball="${1:-$(ls -1 "$root"/dist/preloader-*-linux-x64.tar.gz 2>/dev/null | head -1)}"
[ -f "$tarball" ] || { echo "error: no release tarball (run ./build package first)" >&2; exit 2; }
tarball="$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"

passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "ok      $1"; }
fail() { failed=$((failed + 1)); echo "FAILED  $1"; [ -z "${2:-}" ] || sed 's/^/        | /' "$2" | tail -20; }
skip() { skipped=$((skipped + 1)); echo "skipped $1"; }
check() { local what="$1" log="$2"; shift 2; if "$@" > "$log" 2>&1; then pass "$what"; else fail "$what" "$log"; fi; }

work="$(mktemp -d "${TMPDIR:-/tmp}/preloader-release.XXXXXX")"
server_pid="" prometheus_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null
  [ -z "$prometheus_pid" ] || kill "$prometheus_pid" 2>/dev/null
  wait 2>/dev/null
  [ -n "${RELEASE_TEST_KEEP:-}" ] && echo "kept: $work" || rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/opt" "$work/trap" "$work/tmp" "$work/home" "$work/state" "$work/creds" "$work/logs"
logs="$work/logs"

# --- the tarball and its checksum ------------------------------------------------------------------------------
check "SHA256SUMS matches $(basename "$tarball")" "$logs/sha" bash -c "cd '$(dirname "$tarball")' && sha256sum -c SHA256SUMS"
bytes=$(stat -c %s "$tarball")
if [ "$bytes" -le 60000000 ]; then pass "tarball size $((bytes / 1000000)) MB ($bytes bytes) <= 60 MB"; else fail "tarball size $bytes bytes > 60 MB"; fi
tar -C "$work/opt" -xzf "$tarball"
home="$(echo "$work"/opt/preloader-*)"
version="$(cat "$home/VERSION")"

# A PATH on which any java, javac or mvn is a trap: the release must never call one.
for tool in java javac mvn; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/trap.log"\nexit 97\n' "$tool" "$work" > "$work/trap/$tool"
  chmod +x "$work/trap/$tool"
done
# An array, not a function: `"${release[@]}" … &` then gives the JVM's own pid (env and bin/preloader exec into it).
release=(env -i HOME="$work/home" TMPDIR="$work/tmp" LANG=C.UTF-8 PATH="$work/trap:/usr/local/bin:/usr/bin:/bin")

printed="$("${release[@]}" "$home/bin/preloader" --version 2>&1)"
if [ "$printed" = "preloader $version" ]; then pass "bin/preloader --version prints $version"; else fail "bin/preloader --version printed: $printed"; fi
# shellcheck disable=SC2317
run_demo() { "${release[@]}" "$home/bin/preloader" demo > "$logs/demo.out" 2> "$logs/demo.err" || { cat "$logs/demo.out" "$logs/demo.err"; return 1; }
  grep -q 'hit rate' "$logs/demo.out" || { echo "no statistics table"; return 1; }
  ! grep -q 'WARNING' "$logs/demo.err" || { echo "the JVM warned:"; cat "$logs/demo.err"; return 1; }; }
check "bin/preloader demo exits 0, prints its table, no JVM warning" "$logs/demo" run_demo
models="$work/tmp/preloader-demo/models"

# Every store on the bundled runtime (the jlinked modules are what they need: Chronicle, for one, needs java.naming).
for store in mmap buffer hugepages; do
  printf 'models: [%s]\nstore: %s\nhugepages: {mount: null, fallback: %s}\n' "$models" "$store" "$work/tmp" > "$work/$store.yaml"
  check "preload with store: $store on the bundled runtime" "$logs/store-$store" \
    "${release[@]}" "$home/bin/preloader" --config "$work/$store.yaml" preload llama-demo-1-64m
done

# --- the start-up cache (lib/preloader-all.aot): trained at packaging, used where the release is unpacked ----------
if [ -s "$home/lib/preloader-all.aot" ] && [ -s "$home/lib/preloader-all.aot.key" ]; then
  pass "lib/preloader-all.aot is in the release ($(( $(stat -c %s "$home/lib/preloader-all.aot") >> 20 )) MiB)"
else
  fail "lib/preloader-all.aot or its key is missing from the release"
fi
# -XX:AOTMode=on: the JVM refuses to start rather than start without its cache.
# shellcheck disable=SC2317
run_on_caches() { "${release[@]}" PRELOADER_JAVA_OPTS=-XX:AOTMode=on "$home/bin/preloader" --config "$work/mmap.yaml" status > "$logs/aot-status.out" 2> "$logs/aot.err" \
  && "${release[@]}" PRELOADER_JAVA_OPTS=-XX:AOTMode=on "$home/bin/preloader" --config "$work/mmap.yaml" preload --no-progress llama-demo-1-64m > /dev/null 2>> "$logs/aot.err" \
  && [ ! -s "$logs/aot.err" ] || { cat "$logs/aot.err"; return 1; }; }
check "status and preload start on the release's cache (-XX:AOTMode=on), unpacked elsewhere than where it was trained" "$logs/aot" run_on_caches
cp -a "$home" "$work/stale"
touch -d @1 "$work/stale/lib/preloader.jar"
"${release[@]}" "$work/stale/bin/preloader" --config "$work/mmap.yaml" status > "$logs/stale.out" 2> "$logs/stale.err"
stale_status=$?
if [ "$stale_status" = 0 ] && [ "$(wc -l < "$logs/stale.err")" = 1 ] \
   && grep -q '^preloader: the start-up cache .*preloader-all.aot was made for other jars; not using it$' "$logs/stale.err" \
   && cmp -s <(awk '{ print $1 }' "$logs/stale.out") <(awk '{ print $1 }' "$logs/aot-status.out"); then
  pass "a jar changed after packaging: one line says the cache is stale, and it is not used: $(cat "$logs/stale.err")"
else
  fail "a jar changed after packaging: status $stale_status, stderr:" "$logs/stale.err"
fi
rm -rf "$work/stale"

# --- the systemd unit ------------------------------------------------------------------------------------------
unit_dir="$work/units"; mkdir -p "$unit_dir"
sed "s#/opt/preloader/#$home/#g" "$home/systemd/preloader.service" > "$unit_dir/preloader.service"
if command -v systemd-analyze >/dev/null; then
  check "systemd-analyze verify preloader.service (ExecStart=$home/bin/preloader)" "$logs/verify" \
    bash -c "grep -q '^ExecStart=$home/bin/preloader ' '$unit_dir/preloader.service' && out=\$(systemd-analyze verify '$unit_dir/preloader.service' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
  mkdir -p "$work/broken"
  sed "s#bin/preloader --config#bin/preloader-missing --config#" "$unit_dir/preloader.service" > "$work/broken/preloader.service"
  if systemd-analyze verify "$work/broken/preloader.service" > "$logs/verify-broken" 2>&1; then
    fail "systemd-analyze verify refuses a unit whose ExecStart does not exist (it did not: the check above proves nothing)"
  else
    pass "systemd-analyze verify refuses a unit whose ExecStart does not exist"
  fi
  systemd-analyze security --offline=true "$unit_dir/preloader.service" > "$logs/security" 2>&1
  exposure="$(sed -n 's/.*Overall exposure level for preloader.service: \([0-9.]*\).*/\1/p' "$logs/security")"
  if [ -n "$exposure" ] && awk "BEGIN { exit !($exposure <= 4.0) }"; then
    pass "systemd-analyze security --offline=true: exposure $exposure ($(grep -o 'exposure level.*' "$logs/security" | sed 's/.*: //')) <= 4.0"
  else
    fail "systemd-analyze security: exposure '${exposure:-none}' is not <= 4.0" "$logs/security"
  fi
else
  skip "the systemd unit: systemd-analyze not found (apt-get install systemd)"
fi

# --- serve, as the unit runs it: the token as a systemd credential ---------------------------------------------
token="release-test-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s' "$token" > "$work/creds/token"
cat > "$work/serve.yaml" <<YAML
models: [$models]
journal: $work/state/journal.tsv
http: {host: 127.0.0.1, port: 0, shutdown_timeout: 5}
YAML
"${release[@]}" CREDENTIALS_DIRECTORY="$work/creds" "$home/bin/preloader" --config "$work/serve.yaml" serve > "$logs/serve.out" 2> "$logs/serve.err" &
server_pid=$!
base=""
for _ in $(seq 1 120); do
  base="$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$logs/serve.out")"
  [ -n "$base" ] || ! kill -0 "$server_pid" 2>/dev/null && break
  sleep 0.5
done
if [ -n "$base" ] && "$home/bin/preloader-ready" "$base/v1/health" 30 > "$logs/ready" 2>&1 \
   && [ "$(curl -s "$base/v1/health")" = '{"status":"ok"}' ]; then
  pass "bin/preloader serve prints 'listening on $base'; bin/preloader-ready and /v1/health answer"
else
  fail "bin/preloader serve did not answer on /v1/health" "$logs/serve.err"
  base=""
fi

if [ -n "$base" ]; then
  auth="Authorization: Bearer $token"
  code_without=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "$base/v1/models/llama-demo-2-96m/preload")
  code_with=$(curl -s -o "$logs/preload.json" -w '%{http_code}' -XPOST -H "$auth" "$base/v1/models/llama-demo-2-96m/preload")
  if [ "$code_without" = 401 ] && { [ "$code_with" = 202 ] || [ "$code_with" = 200 ]; }; then
    pass "the token from \$CREDENTIALS_DIRECTORY/token is in force (401 without it, $code_with with it)"
  else
    fail "the credential token: $code_without without it, $code_with with it (expected 401, then 202)" "$logs/preload.json"
  fi
  for _ in $(seq 1 60); do
    curl -s -H "$auth" "$base/v1/models/llama-demo-2-96m" | grep -q '"state":"resident"' && break
    sleep 0.5
  done
  curl -s -o "$logs/transfer.json" -XPOST -H "$auth" -d '{"device": 0}' "$base/v1/models/llama-demo-2-96m/transfer"
  curl -s -o /dev/null -XPOST -H "$auth" "$base/v1/models/llama-demo-2-96m/handoff"
  curl -s "$base/metrics" > "$work/scrape.txt"
  if grep -q '^preloader_transfers_total 1' "$work/scrape.txt" && grep -q 'preloader_model_accesses_total{model="llama-demo-2-96m"}' "$work/scrape.txt"; then
    pass "/metrics counts the load, the transfer and the model's accesses"
  else
    fail "/metrics lacks the transfer or the per-model series" "$logs/transfer.json"
  fi

  if command -v promtool >/dev/null; then
    check "promtool check metrics on a scrape of the running server reports nothing" "$logs/promtool" \
      bash -c "out=\$(promtool check metrics < '$work/scrape.txt' 2>&1); echo \"\$out\"; [ -z \"\$out\" ]"
  else
    skip "promtool check metrics: promtool not found (apt-get install prometheus)"
  fi

  check "every Grafana expression names metrics the server exports" "$logs/dashboard" \
    python3 "$root/packaging/test/dashboard-check.py" "$home/grafana/preloader.json" "$work/scrape.txt"
  python3 - "$home/grafana/preloader.json" "$work/planted.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["panels"][0]["targets"][0]["expr"] = "rate(preloader_cache_hitz_total[5m])"
json.dump(d, open(sys.argv[2], "w"))
PY
  if python3 "$root/packaging/test/dashboard-check.py" "$work/planted.json" "$work/scrape.txt" > "$logs/planted" 2>&1 \
     || ! grep -q 'preloader_cache_hitz_total not exported' "$logs/planted"; then
    fail "the dashboard check misses a planted misspelt metric (it proves nothing)" "$logs/planted"
  else
    pass "the dashboard check catches a planted misspelt metric"
  fi

  if command -v prometheus >/dev/null; then
    hostport="${base#http://}"
    port=""
    for candidate in $(shuf -i 20000-60000 -n 20); do
      (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null || { port=$candidate; break; }
    done
    cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: preloader
    metrics_path: /metrics
    static_configs: [{targets: ['$hostport']}]
YAML
    prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
      --web.listen-address="127.0.0.1:$port" > "$logs/prometheus" 2>&1 &
    prometheus_pid=$!
    prom="http://127.0.0.1:$port"
    up=""
    for _ in $(seq 1 60); do
      up="$(curl -s "$prom/api/v1/query" --data-urlencode 'query=up{job="preloader"} == 1' | grep -o '"value":\[[^]]*"1"\]')"
      [ -n "$up" ] && break
      sleep 0.5
    done
    if [ -n "$up" ]; then pass "Prometheus scrapes the release: up == 1"; else fail "Prometheus: up == 1 never held" "$logs/prometheus"; fi
    sleep 4   # a few more scrapes, so that rate() has samples to work on
    readme_query='rate(preloader_cache_hits_total[5m]) / (rate(preloader_cache_hits_total[5m]) + rate(preloader_cache_misses_total[5m]))'
    grep -qF "$readme_query" "$root/README.md" || grep -qF "$readme_query" "$home/README.md"
    in_readme=$?
    answer="$(curl -s "$prom/api/v1/query" --data-urlencode "query=$readme_query")"
    if [ "$in_readme" = 0 ] && echo "$answer" | grep -q '"status":"success"' && echo "$answer" | grep -q '"result":\[{'; then
      pass "the README's hit-rate query answers in Prometheus"
    else
      fail "the README's hit-rate query: $answer (in README: $in_readme)"
    fi
    check "every Grafana expression returns data in that Prometheus" "$logs/dashboard-prometheus" \
      python3 "$root/packaging/test/dashboard-check.py" "$home/grafana/preloader.json" "$work/scrape.txt" "$prom"
  else
    skip "a real Prometheus: prometheus not found (apt-get install prometheus)"
  fi

  kill -TERM "$server_pid"
  for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$server_pid" 2>/dev/null; then
    fail "serve did not stop within 30 s of SIGTERM" "$logs/serve.err"
  else
    wait "$server_pid"; status=$?; server_pid=""
    # 143 is the JVM's status after a SIGTERM its shutdown hooks handled (the unit's SuccessExitStatus).
    if { [ "$status" = 143 ] || [ "$status" = 0 ]; } && [ -s "$work/state/journal.tsv" ] && ! grep -q WARNING "$logs/serve.err"; then
      pass "SIGTERM: serve stops gracefully (status $status), the journal is saved, no JVM warning"
    else
      ls -la "$work/state" >> "$logs/serve.err"
      fail "SIGTERM: status $status, journal $(stat -c %s "$work/state/journal.tsv" 2>/dev/null || echo missing)" "$logs/serve.err"
    fi
  fi
fi

if [ -s "$work/trap.log" ]; then
  fail "something called java, javac or mvn from PATH:" "$work/trap.log"
else
  pass "no java, javac or mvn from PATH was called (JAVA_HOME unset)"
fi
echo "release: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
