#!/usr/bin/env bash
# The concurrency load test as a soak: many more mixed operations from 16 threads on real files, per store.
# Usage: bench/soak.sh [OPERATIONS (default 1000000)] [SEED (default 7)]
set -euo pipefail
cd "$(dirname "$0")/.."
ops=${1:-1000000}
seed=${2:-7}
./build -q -DskipTests install
./build -q test -pl adapters-mmap,adapters-buffer -Dtest='*LoadTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dload.ops="$ops" -Dload.seed="$seed"
grep -ho "load: [^]]*" adapters-*/target/surefire-reports/TEST-*LoadTest.xml || true
