#!/usr/bin/env bash
# `./build package`: the release dist/preloader-VERSION-linux-x64.tar.gz, which runs on a host with no JDK:
#   preloader-VERSION/bin/preloader       the CLI on the bundled runtime (never the `java` on PATH)
#   preloader-VERSION/bin/preloader-ready the systemd unit's readiness wait
#   preloader-VERSION/runtime/            Java 25 cut down by jlink to the modules below
#   preloader-VERSION/lib/                the jars, their order (classpath) and the JVM flags (jvm.options)
#   preloader-VERSION/etc/                an example config; systemd/, kubernetes/, grafana/: the unit, manifests, dashboard
# and dist/SHA256SUMS beside it. Usage: ./build package [--no-build]   (--no-build: use the jars in app/target,
# as .ci/run does right after ./build verify made them)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
source scripts/jdk25.sh
find_jdk25

# What the jars need (found with jdeps over them, then checked by running demo, serve and every store on the result):
# java.logging (Guava, Guice, jffi), java.management and jdk.management (Micrometer's JVM and process metrics),
# java.naming (Chronicle's exceptions, which the hugepages store meets at once), jdk.unsupported (sun.misc.Unsafe).
MODULES=java.base,java.logging,java.management,java.naming,jdk.management,jdk.unsupported
# What jdeps also names, left out on purpose (each only on a path this application never takes; the release test
# runs every command on the runtime, so a gap shows at once): java.desktop (java.beans in Jackson, SnakeYAML and
# Jetty for JavaBeans it is never given; AWT in JNA), java.sql (Jackson's and Jetty's JDBC types), java.instrument
# (Jetty's webapp class transformers), java.rmi (jakarta.transaction), java.security.jgss (Jetty's SPNEGO login),
# java.xml, java.datatransfer, java.transaction.xa (needed only by those). jdk.crypto.ec is empty in JDK 25 (its
# code moved into java.base).
LEFT_OUT=java.desktop,java.sql,java.instrument,java.rmi,java.security.jgss,java.xml,java.datatransfer,java.transaction.xa

build_jars=true
for arg in "$@"; do
  case "$arg" in
    --no-build) build_jars=false ;;
    *) echo "error: ./build package: unknown option $arg (expected --no-build)" >&2; exit 2 ;;
  esac
done
if $build_jars; then
  echo "package: building the jars (mvn package, no tests)…" >&2
  # -q first: ./build treats a first argument "package" as this script, anything else as Maven's arguments.
  ./build -q -DskipTests package
fi
app=app/target
[ -f "$app/preloader.jar" ] && [ -d "$app/lib" ] || { echo "error: $app/preloader.jar or $app/lib is missing: run ./build package without --no-build" >&2; exit 1; }

version="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1)"
[ -n "$version" ] || { echo "error: pom.xml: no project version found" >&2; exit 1; }
name="preloader-$version"
dist="$root/dist"
stage="$(mktemp -d "${TMPDIR:-/tmp}/preloader-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
home="$stage/$name"
mkdir -p "$home/bin" "$home/lib" "$home/etc"

# A new dependency that needs a module not listed above fails the package here, not on an operator's host.
needed="$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$app/preloader.jar" "$app"/lib/*.jar 2>/dev/null)"
for module in ${needed//,/ }; do
  case ",$MODULES,$LEFT_OUT," in
    *",$module,"*) ;;
    *) echo "error: jdeps says the jars need $module, which packaging/package.sh neither bundles nor leaves out with a reason" >&2; exit 1 ;;
  esac
done

echo "package: jlink $MODULES…" >&2
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output "$home/runtime"

cp "$app/preloader.jar" "$app"/lib/*.jar "$home/lib/"
{ echo preloader.jar; (cd "$app/lib" && ls -1 -- *.jar | LC_ALL=C sort); } > "$home/lib/classpath"
# The flags every JVM of the project runs with: the pom's jvm.flags (the tests' argLine), as a java @argfile.
flags="$(sed -n 's:.*<jvm.flags>\(.*\)</jvm.flags>.*:\1:p' pom.xml)"
[ -n "$flags" ] || { echo "error: pom.xml: no <jvm.flags> property found" >&2; exit 1; }
tr ' ' '\n' <<< "$flags" > "$home/lib/jvm.options"

cp packaging/bin/preloader packaging/bin/preloader-ready "$home/bin/"
cp packaging/preloader.yaml "$home/etc/preloader.yaml"
cp -r packaging/systemd packaging/kubernetes packaging/grafana "$home/"
cp README.md "$home/README.md"
echo "$version" > "$home/VERSION"

# AOT cache (JDK 25, JEPs 483/514/515), made by another issue: when PRELOADER_AOT_TRAINING names a workload of
# bin/preloader (e.g. "demo"), it is trained here with the bundled runtime and the release's own class path, and
# bin/preloader uses lib/preloader.aot whenever it is there. Without it the release simply has no cache.
if [ -n "${PRELOADER_AOT_TRAINING:-}" ]; then
  echo "package: training the AOT cache on: bin/preloader $PRELOADER_AOT_TRAINING" >&2
  # shellcheck disable=SC2086  # the workload is a command line
  PRELOADER_JAVA_OPTS="-XX:AOTCacheOutput=$home/lib/preloader.aot" "$home/bin/preloader" $PRELOADER_AOT_TRAINING >&2
fi

mkdir -p "$dist"
tarball="$name-linux-x64.tar.gz"
rm -f "$dist/$tarball"
# Owner and times fixed, names sorted: the same inputs give the same tarball.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
  -cf - "$name" | gzip -9n > "$dist/$tarball"
(cd "$dist" && sha256sum "$tarball" > SHA256SUMS)
size="$(du -m "$dist/$tarball" | cut -f1)"
echo "package: dist/$tarball ($(stat -c %s "$dist/$tarball") bytes, about $size MB; runtime $(du -sm "$home/runtime" | cut -f1) MB unpacked)" >&2
echo "dist/$tarball"
