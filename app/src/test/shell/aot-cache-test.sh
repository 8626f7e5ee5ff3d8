#!/usr/bin/env bash
# The start-up caches (scripts/aot.sh), run by the build's verify phase right after its package phase trained them:
#   - the build made both caches, and ./preloader starts on them: a JVM that insists on its cache (-XX:AOTMode=on)
#     runs status and preload, with nothing on stderr; --version starts on none;
#   - a copy of the tree (moved as a whole) keeps its caches;
#   - stale, jars changed: one line says so, the output is unchanged, a new cache is trained, then nothing is said;
#   - stale, another runtime (one made by jlink): the JVM itself refuses the JDK's cache (-XX:AOTMode=on fails); the
#     launcher says so in one line and does not pass it; the output is unchanged;
#   - a cache the key cannot tell is bad (truncated): the JVM starts without it and says nothing on stdout or stderr.
# Usage: aot-cache-test.sh [--skip=true|false] GGUF_FIXTURES_DIR   (true: the build trained no cache, -Dpreloader.aot.skip;
#        TMPDIR for the temporary folder; AOT_TEST_KEEP=1 keeps it)
set -uo pipefail
root="$(cd "$(dirname "$0")/../../../.." && pwd)"
case "${1:-}" in
  --skip=true) echo "aot cache: skipped (-Dpreloader.aot.skip=true: this build trained no cache)"; exit 0 ;;
  --skip=*) shift ;;
esac
fixtures="${1:?usage: aot-cache-test.sh [--skip=true|false] GGUF_FIXTURES_DIR}"
source "$root/scripts/jdk25.sh"
find_jdk25 || exit 1
jdk="$JAVA_HOME"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok      $1"; }
fail() { failed=$((failed + 1)); echo "FAILED  $1"; [ -z "${2:-}" ] || sed 's/^/        | /' "$2" | tail -15; }

work="$(mktemp -d "${TMPDIR:-/tmp}/preloader-aot-test.XXXXXX")"
cleanup() { [ -n "${AOT_TEST_KEEP:-}" ] && echo "kept: $work" || rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/models"
cp "$fixtures/ggml-vocab-llama-spm.gguf" "$work/models/vocab.gguf"
printf 'models: [%s]\njournal: %s/journal.tsv\n' "$work/models" "$work" > "$work/config.yaml"

# run NAME LAUNCHER ARGS…: runs a launcher with PRELOADER_JAVA_OPTS and PRELOADER_JAVA_HOME as set by the caller;
# its stdout in $work/NAME.out, stderr in $work/NAME.err, status in $status.
run() {
  local name="$1"; shift
  "$@" > "$work/$name.out" 2> "$work/$name.err"
  status=$?
}
# expect_quiet WHAT NAME: status 0 and an empty stderr.
expect_quiet() {
  if [ "$status" = 0 ] && [ ! -s "$work/$2.err" ]; then pass "$1"; else cat "$work/$2.out" >> "$work/$2.err"; fail "$1 (status $status)" "$work/$2.err"; fi
}
# expect_notice WHAT NAME PATTERN: status 0 and exactly one line on stderr, matching PATTERN.
expect_notice() {
  if [ "$status" = 0 ] && [ "$(wc -l < "$work/$2.err")" = 1 ] && grep -qE "$3" "$work/$2.err"; then
    pass "$1: $(cat "$work/$2.err")"
  else
    fail "$1 (status $status, stderr above)" "$work/$2.err"
  fi
}
same_output() { # WHAT NAME REFERENCE
  if cmp -s "$work/$2.out" "$work/$3.out"; then pass "$1"; else
    diff <(cat "$work/$3.out") <(cat "$work/$2.out") > "$work/$2.diff"; fail "$1" "$work/$2.diff"; fi
}

# --- the build's caches, in place ------------------------------------------------------------------------------
for group in light load; do
  cache="$root/app/target/preloader-$group.aot"
  if [ -s "$cache" ] && [ -s "$cache.key" ]; then pass "the build made $cache ($(( $(stat -c %s "$cache") >> 20 )) MiB) and its key"; else fail "the build made no $cache"; fi
done
export PRELOADER_JAVA_OPTS="-XX:AOTMode=on"
run status "$root/preloader" --config "$work/config.yaml" status
expect_quiet "./preloader status starts on the light cache (-XX:AOTMode=on)" status
run preload "$root/preloader" --config "$work/config.yaml" preload --no-progress vocab
expect_quiet "./preloader preload starts on the load cache (-XX:AOTMode=on)" preload
# What the runs below must print too: inspect's output depends on the file alone (status's on the page cache, which
# other processes on the host may drop meanwhile).
run reference "$root/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_quiet "./preloader inspect --json" reference
unset PRELOADER_JAVA_OPTS
run version "$root/preloader" --version
if [ "$status" = 0 ] && [ "$(cat "$work/version.out")" = "preloader $(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)" ] \
   && [ ! -s "$work/version.err" ]; then pass "./preloader --version: $(cat "$work/version.out")"; else fail "./preloader --version (status $status)" "$work/version.out"; fi

# --- a copy of the tree: moved as a whole, then its jars changed ---------------------------------------------
tree="$work/tree"
mkdir -p "$tree/scripts" "$tree/app/target"
cp -p "$root/preloader" "$tree/"
cp -p "$root/scripts/jdk25.sh" "$root/scripts/jvm.sh" "$root/scripts/aot.sh" "$tree/scripts/"
cp -a "$root/app/target/preloader.jar" "$root/app/target/lib" "$root/app/target/preloader.built" "$tree/app/target/"
cp -p "$root/app/target/preloader-light.aot" "$root/app/target/preloader-light.aot.key" "$tree/app/target/"
export PRELOADER_JAVA_OPTS="-XX:AOTMode=on"
run moved "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_quiet "a copy of the tree starts on the caches it was copied with" moved
unset PRELOADER_JAVA_OPTS

touch -d "@$(( $(stat -c %Y "$tree/app/target/lib/"core-*.jar) + 1 ))" "$tree/app/target/lib/"core-*.jar
run jars "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_notice "jars changed: the stale cache is noticed" jars "^preloader: the start-up cache .*preloader-light.aot was made for other jars; not using it, making a new one$"
same_output "jars changed: inspect prints what it printed on the build's cache" jars reference
export PRELOADER_JAVA_OPTS="-XX:AOTMode=on"
run retrained "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_quiet "jars changed: the cache made then is used on the next start, with nothing said" retrained
unset PRELOADER_JAVA_OPTS

# --- another runtime --------------------------------------------------------------------------------------------
# The release's modules (packaging/package.sh): a runtime made by jlink from the same JDK, so the same JVM build.
"$jdk/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,jdk.management,jdk.unsupported \
  --no-header-files --no-man-pages --output "$work/runtime" > "$work/jlink.log" 2>&1 || fail "jlink" "$work/jlink.log"
source "$root/scripts/jvm.sh"
preloader_classpath "$tree"
if "$work/runtime/bin/java" "${preloader_flags[@]}" -XX:AOTCache="$tree/app/target/preloader-light.aot" -XX:AOTMode=on \
     -cp "$classpath" io.hive.preloader.app.Main --config "$work/config.yaml" status > "$work/refused.out" 2>&1; then
  fail "the jlinked runtime accepted a cache trained on the JDK (the check below proves nothing)" "$work/refused.out"
else
  pass "the JVM of another runtime refuses the JDK's cache: $(grep -m1 -iE 'error|mismatch' "$work/refused.out" | cut -c1-110)"
fi
PRELOADER_JAVA_HOME="$work/runtime" run runtime "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_notice "another runtime: the stale cache is noticed" runtime "^preloader: the start-up cache .*preloader-light.aot was made for another Java runtime or other JVM flags \(now $work/runtime\); not using it, making a new one$"
same_output "another runtime: inspect prints what it printed on the JDK" runtime reference
PRELOADER_JAVA_HOME="$work/runtime" PRELOADER_JAVA_OPTS="-XX:AOTMode=on" run runtime2 "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_quiet "another runtime: the cache trained for it is used on its next start" runtime2

# --- a bad cache the key cannot tell: the JVM must stay silent ---------------------------------------------------
head -c 1000000 "$tree/app/target/preloader-light.aot" > "$work/truncated" && cat "$work/truncated" > "$tree/app/target/preloader-light.aot"
PRELOADER_JAVA_HOME="$work/runtime" run truncated "$tree/preloader" --config "$work/config.yaml" inspect --json "$work/models/vocab.gguf"
expect_quiet "a truncated cache: the JVM starts without it and prints nothing of its own" truncated
same_output "a truncated cache: inspect prints what it printed with a good one" truncated reference

echo "aot cache: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
