#!/usr/bin/env bash
# Replays a synthetic trace of worker spawns (Zipf popularity over models of 0.5–40 GB, popular set redrawn by
# phases, scans of one-off models) through core's real cache with the LRU, LFU and Caffeine eviction policies, at
# several budgets; prints hit rate and bytes read from disk per policy, the table last, then each policy's ratios
# to LRU on lines of their own. Deterministic (fixed seed); takes seconds, allocates no model memory.
# Usage: bench/policy-trace.sh [SPAWNS (default 40000)] [BUDGETS_GIB comma-separated (default 64,128,256)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk25.sh
find_jdk25

jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find benchmarks/src/main core/src/main adapters-caffeine/src/main -newer "$jar" -print -quit)" ]; then
  echo "building the benchmarks module (./build -q -DskipTests install -pl benchmarks -am) ..." >&2
  ./build -q -DskipTests install -pl benchmarks -am >&2
fi

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "$jar:benchmarks/target/lib/*" io.hive.preloader.benchmarks.simulator.PolicyTrace "$@"
