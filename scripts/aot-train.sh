#!/usr/bin/env bash
# The build's last step in app (mvn package, so ./build and the launcher's -DskipTests install build alike): trains the
# start-up caches app/target/preloader-light.aot and -load.aot (scripts/aot.sh) on the JDK 25 the launcher finds, for
# the class path and flags it starts with, unless a cache there was trained for exactly those; then stamps the build
# (app/target/preloader.built), which the launcher compares the sources with. A training that fails fails the build.
# Usage: scripts/aot-train.sh [--skip=true|false]   (true: the stamp only, from -Dpreloader.aot.skip=true)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/scripts/jdk25.sh"
source "$root/scripts/jvm.sh"
source "$root/scripts/aot.sh"
find_jdk25

touch "$root/app/target/preloader.built"
[ "${1:-}" != --skip=true ] || exit 0
preloader_classpath "$root"
key="$(aot_key "$root" "$JAVA_HOME" "$classpath" "${preloader_flags[@]}")"
for group in light load; do
  cache="$root/app/target/preloader-$group.aot"
  if [ -f "$cache" ] && [ -f "$cache.key" ] && [ "$(< "$cache.key")" = "$key" ]; then
    echo "aot: $cache is up to date"
    continue
  fi
  start=$(date +%s%N)
  status=0
  aot_train "$JAVA_HOME/bin/java" "$cache" "$key" "$cache.log" "$classpath" "$group" "${preloader_flags[@]}" || status=$?
  case $status in
    0) echo "aot: trained $cache ($(( $(stat -c %s "$cache") >> 20 )) MiB) in $(( ($(date +%s%N) - start) / 1000000 )) ms" ;;
    3) echo "aot: another process is training $cache; leaving it to that one" ;;
    *) cat "$cache.log" >&2; echo "error: training the start-up cache $cache failed (log above, in $cache.log)" >&2; exit 1 ;;
  esac
done
