#!/usr/bin/env bash
# The staged pipeline (Disruptor ring) into the host sink against a plain multi-threaded copy of the same bytes with
# the same thread count, in the same run, runs interleaved (order alternating); each ratio is the median of the
# per-run ratios (a copy into fresh memory here runs at one of two speeds from run to run). Table printed last, then
# each ratio on its own line.
# Usage: bench/staged-pipeline.sh [SIZE_MIB (1024)] [RUNS (11)] [READERS (CPU count)] [CHUNK_KIB (16384)] [SLOTS (2 per reader)]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk25.sh
find_jdk25
./build -q install -pl core,native-linux,adapters-buffer,adapters-hostsink -DskipTests >&2
./build -q test-compile -pl adapters-disruptor >&2
cp_file=adapters-disruptor/target/bench.classpath
./build -q dependency:build-classpath -pl adapters-disruptor -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file" >&2
cp="adapters-disruptor/target/test-classes:adapters-disruptor/target/classes:$(cat "$cp_file")"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$cp" \
  io.hive.preloader.adapters.disruptor.bench.StagedPipelineBenchmark "$@"
