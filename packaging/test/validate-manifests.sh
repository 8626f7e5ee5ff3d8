#!/usr/bin/env bash
# Validates the Kubernetes manifests (packaging/kubernetes: base, and the hugepages overlay as kustomize renders it)
# offline and strictly against Kubernetes 1.32, 1.34 and 1.36: the official Java client's models for each version
# (io.kubernetes:client-java-api 23, 25, 27 from Maven Central) refuse unknown fields, missing required ones and
# wrong types; then the DaemonSet is held to what the README promises (kubernetes/ValidateManifests.java).
# kubernetes-validate (PyPI) runs as well where it is installed; PyPI is out of reach on this project's machines.
# Usage: packaging/test/validate-manifests.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source scripts/jdk25.sh
find_jdk25
here=packaging/test/kubernetes
manifests=packaging/kubernetes
VERSIONS="1.32:23.0.0 1.34:25.0.0 1.36:27.0.0"   # Kubernetes version : client-java-api generated from it

command -v mvn >/dev/null || { echo "skipped: Kubernetes manifest validation (Maven not found, needed to fetch the client's models)"; exit 0; }
out="$(mktemp -d "${TMPDIR:-/tmp}/preloader-manifests.XXXXXX")"
trap 'rm -rf "$out"' EXIT

files=()
if command -v kubectl >/dev/null && kubectl kustomize "$manifests/base" > "$out/base.yaml" 2> "$out/kustomize.err"; then
  kubectl kustomize "$manifests/hugepages" > "$out/hugepages.yaml"
  grep -q 'store: hugepages' "$out/hugepages.yaml" || { echo "error: the hugepages overlay does not set store: hugepages"; exit 1; }
  files=("$out/base.yaml" "$out/hugepages.yaml")
  echo "manifests: kustomize rendered base ($(grep -c '^kind:' "$out/base.yaml") objects) and hugepages ($(grep -c '^kind:' "$out/hugepages.yaml") objects)"
else
  echo "skipped: the hugepages overlay (kubectl kustomize not found or failed: $(head -1 "$out/kustomize.err" 2>/dev/null)); validating the base files as they are"
  for f in "$manifests"/base/*.yaml; do [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f"); done
fi

passed=0 failed=0 selftest=--self-test
for pair in $VERSIONS; do
  kube="${pair%%:*}" client="${pair##*:}"
  if ! mvn -B -q -ntp -f "$here/pom.xml" -Dclient="$client" dependency:build-classpath -Dmdep.outputFile="$out/cp-$kube" > "$out/mvn.log" 2>&1; then
    echo "skipped: Kubernetes $kube (io.kubernetes:client-java-api:$client could not be resolved: $(grep -m1 ERROR "$out/mvn.log"))"
    continue
  fi
  if "$JAVA_HOME/bin/java" -cp "$(cat "$out/cp-$kube")" "$here/ValidateManifests.java" --kubernetes "$kube" $selftest "${files[@]}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  selftest=""
done
if command -v kubernetes-validate >/dev/null; then
  for pair in $VERSIONS; do
    if kubernetes-validate --strict -k "${pair%%:*}.0" "${files[@]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
fi
echo "manifests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
