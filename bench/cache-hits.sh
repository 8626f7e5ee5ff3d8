#!/usr/bin/env bash
# JMH benchmarks of the cache's hit path: open + close of a small resident model at 1 and 8 threads, with the
# daemon's default policy (caffeine) and LRU, idle and while two other models (2 GiB, 8 GiB) take turns in the budget
# (each load evicts the other; every other turn the resident one is evicted under a lease, so the background releaser
# frees it) with stats() read 20 times a second; and stats() with 50 models resident. Prints JMH's sampled p50 / p99 /
# p99.9, the exact max and count of hits over 5 ms in the measurement iterations, bytes allocated per operation (JMH's
# gc profiler) and the releases in the measurement window, the table last, then the tally's own cost per hit
# (measured apart) and each churn run against idle on a line of its own.
#
# Usage: bench/cache-hits.sh [WARMUP_S (5)] [MEASURE_S (15)] [CHURNS (idle,2GiB,8GiB)] [THREADS (1,8)]
#                            [POLICIES (caffeine,lru)] [ITERATIONS (3): warm-up and measurement iterations each]
#   PRELOADER_ROOT=DIR   measure another checkout (e.g. a worktree of the code before a change): the same benchmark
#                        source is compiled against that checkout's core, fs, mmap and caffeine jars, built there with
#                        ./build -DskipTests package (never install: ~/.m2 is shared). It uses only the embedding API.
#   HITS_DIR=DIR         where the model files are written once and kept (default /tmp/preloader-hits; two files of
#                        each churn size: 20 GiB for the defaults)
#   HITS_JVM_ARGS=FLAGS  more flags for the measured JVMs, e.g. -Xlog:safepoint:file=/tmp/safepoints.log
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "${PRELOADER_ROOT:-$here}" && pwd)
cd "$here"
source scripts/jdk25.sh
find_jdk25

# JMH and its processor come from this checkout's benchmarks module.
lib=benchmarks/target/lib
if [ ! -f "$lib/jmh-core-1.37.jar" ] || [ -n "$(find benchmarks/src/main core/src/main adapters-fs/src/main adapters-mmap/src/main adapters-caffeine/src/main -newer "$lib/jmh-core-1.37.jar" -print -quit)" ]; then
  echo "building the benchmarks module here (./build -q -DskipTests package -pl benchmarks -am) ..." >&2
  ./build -q -DskipTests package -pl benchmarks -am >&2
  touch "$lib/jmh-core-1.37.jar"
fi
annproc=$(find "${HOME}/.m2/repository/org/openjdk/jmh/jmh-generator-annprocess/1.37" -name 'jmh-generator-annprocess-1.37.jar' | head -1)
jmh="$lib/jmh-core-1.37.jar:$(ls "$lib"/jopt-simple-*.jar):$(ls "$lib"/commons-math3-*.jar)"
# Caffeine itself (the policy adapter is the checkout's own, below).
caffeine=$(ls "$lib"/caffeine-*.jar | head -1)

# The checkout under test: its own core, models folder, mmap store and Caffeine policy.
if [ "$root" != "$here" ]; then
  echo "building $root (./build -q -DskipTests package -pl adapters-fs,adapters-mmap,adapters-caffeine -am) ..." >&2
  (cd "$root" && ./build -q -DskipTests package -pl adapters-fs,adapters-mmap,adapters-caffeine -am >&2)
fi
# core, the models folder, the mmap store, the policy, and whatever library module they rest on there (native-linux,
# when present)
preloader=$(for m in core native-linux adapters-fs adapters-mmap adapters-caffeine; do
  [ -d "$root/$m" ] && ls "$root/$m/target/$m"-*.jar | grep -v -- '-tests.jar' | head -1
done | paste -sd: -):$caffeine

classes=$(mktemp -d "${TMPDIR:-/tmp}/cache-hits-classes.XXXXXX")
trap 'rm -rf "$classes"' EXIT
"$JAVA_HOME/bin/javac" --release 25 -proc:full -processorpath "$annproc:$jmh" -cp "$preloader:$jmh" -d "$classes" \
  -Xlint:none benchmarks/src/main/java/io/hive/preloader/benchmarks/hits/*.java

echo "measuring $root ($(git -C "$root" log -1 --format='%h %s' 2>/dev/null | cut -c1-80 || echo 'not a git checkout'))" >&2
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dhits.dir="${HITS_DIR:-/tmp/preloader-hits}" -cp "$classes:$preloader:$jmh" io.hive.preloader.benchmarks.hits.HitsRun "$@"
