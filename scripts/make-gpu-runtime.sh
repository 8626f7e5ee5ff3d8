#!/usr/bin/env bash
# Makes .gpu/ (git-ignored), everything scripts/gpu-check.sh needs on a GPU machine that has no JDK:
#   .gpu/jdk25.tar.xz   a jlink'ed Java 25 runtime (the modules the CUDA tests and the benchmark use)
#   .gpu/lib/*.jar      adapters-cuda's classes and test classes, their test class path, JUnit's console launcher
# Run it here (with JDK 25 and Maven), then carry .gpu to the GPU machine: it stays well under 64 MiB.
# Usage: scripts/make-gpu-runtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk25.sh
find_jdk25
JUNIT_CONSOLE=org.junit.platform:junit-platform-console-standalone:1.14.4
# java.logging: JUnit's own logging; java.management: thread and memory beans; jdk.unsupported: sun.misc for the
# test libraries; jdk.zipfs: JUnit scans the test jar through it. (jdeps also names java.desktop, java.sql and java.instrument, for AssertJ paths these tests never
# take; leaving them out halves the runtime. gpu-check.sh runs the whole suite on it, so a gap shows at once.)
MODULES=java.base,java.logging,java.management,jdk.unsupported,jdk.zipfs

out=.gpu
rm -rf "$out"
mkdir -p "$out/lib" "$out/build"

echo "building core, adapters-mmap, adapters-disruptor and adapters-cuda…" >&2
./build -q install -pl core,native-linux,adapters-mmap,adapters-buffer,adapters-hostsink,adapters-disruptor -DskipTests >&2
./build -q test-compile jar:jar jar:test-jar -pl adapters-cuda >&2
./build -q dependency:build-classpath -pl adapters-cuda -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$out/build/classpath" >&2
./build -q dependency:copy -Dartifact=$JUNIT_CONSOLE -DoutputDirectory="$PWD/$out/lib" >&2

cp adapters-cuda/target/adapters-cuda-*-SNAPSHOT.jar "$out/lib/adapters-cuda.jar"
cp adapters-cuda/target/adapters-cuda-*-SNAPSHOT-tests.jar "$out/lib/adapters-cuda-tests.jar"
# The test class path, less what the console launcher bundles (JUnit) and what the CUDA tests do not use (Mockito,
# Awaitility, and Byte Buddy, which AssertJ needs only for soft assertions and its own assumptions).
tr ':' '\n' < "$out/build/classpath" | grep -v -E '/(junit-|opentest4j|apiguardian|mockito|objenesis|byte-buddy|awaitility|hamcrest)' \
  | while read -r jar; do cp "$jar" "$out/lib/"; done

"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output "$out/build/jdk25"
tar -C "$out/build" -cJf "$out/jdk25.tar.xz" jdk25
rm -rf "$out/build"
du -sh "$out/jdk25.tar.xz" "$out/lib" "$out" >&2
echo "carry: .gpu   (then run: scripts/gpu-check.sh)" >&2
