#!/usr/bin/env bash
# The CUDA path on a GPU machine that has no JDK: unpacks the Java 25 runtime that scripts/make-gpu-runtime.sh put
# in .gpu/ (carry that folder), finds libcuda.so.1 in /usr/local/nvidia/lib64, runs adapters-cuda's tests (the
# @Tag("gpu") ones included) and the transfer benchmark, and prints the benchmark's table last.
# Exit status: 0 when the tests passed and the benchmark ran, 1 when tests failed, 2 when something is missing.
# Usage: scripts/gpu-check.sh [SIZE_GIB (4)] [RUNS (5)] [READERS (12)] [CHUNK_MIB (16)]
set -uo pipefail
cd "$(dirname "$0")/.."
gpu=.gpu
if [ ! -f "$gpu/jdk25.tar.xz" ] || ! ls "$gpu"/lib/*.jar >/dev/null 2>&1; then
  echo "error: $gpu/jdk25.tar.xz or $gpu/lib/*.jar missing: run scripts/make-gpu-runtime.sh where JDK 25 is, and carry $gpu" >&2
  exit 2
fi

runtime=${TMPDIR:-/tmp}/preloader-gpu-jdk25
if [ ! -x "$runtime/bin/java" ]; then
  rm -rf "$runtime" && mkdir -p "$runtime"
  if ! tar -xJf "$gpu/jdk25.tar.xz" -C "$runtime" --strip-components=1 2>/dev/null; then
    # No xz for tar here: Python's tarfile reads xz itself.
    python3 - "$gpu/jdk25.tar.xz" "$runtime" <<'PY' || { echo "error: cannot unpack $gpu/jdk25.tar.xz (no xz, no python3)" >&2; exit 2; }
import os, sys, tarfile
with tarfile.open(sys.argv[1], "r:xz") as t:
    for m in t.getmembers():
        m.name = m.name.split("/", 1)[1] if "/" in m.name else ""
        if m.name:
            t.extract(m, sys.argv[2])
PY
  fi
fi
java=$runtime/bin/java
"$java" -version 2>&1 | head -1

export LD_LIBRARY_PATH=/usr/local/nvidia/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,pcie.link.gen.current,pcie.link.width.current,memory.total --format=csv,noheader
cp=$(printf '%s:' "$gpu"/lib/*.jar)
cp=${cp%:}
flags=(--enable-native-access=ALL-UNNAMED -Xmx2g)
[ -n "${PRELOADER_CUDA_LIBRARY:-}" ] && flags+=("-Dpreloader.cuda.library=$PRELOADER_CUDA_LIBRARY")

echo "== adapters-cuda tests (the gpu-tagged ones skip, saying why, where there is no GPU)"
"$java" "${flags[@]}" -Dpreloader.test.classpath="$cp" -cp "$cp" org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --details=tree --scan-class-path="$gpu/lib/adapters-cuda-tests.jar" --fail-if-no-tests
tests=$?
echo "adapters-cuda tests: $([ $tests = 0 ] && echo passed || echo "FAILED (exit $tests)")"

echo "== transfer benchmark (its table comes last)"
"$java" "${flags[@]}" -cp "$cp" io.hive.preloader.adapters.cuda.CudaTransferBenchmark "${1:-4}" "${2:-5}" "${3:-12}" "${4:-16}" || exit 1
[ $tests = 0 ] || exit 1
