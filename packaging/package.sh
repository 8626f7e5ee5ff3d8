#!/usr/bin/env bash
# `./build package`: the release dist/preloader-VERSION-linux-x64.tar.gz, which runs on a host with no JDK:
#   preloader-VERSION/bin/preloader       the CLI on the bundled runtime (never the `java` on PATH)
#   preloader-VERSION/bin/preloader-ready the systemd unit's readiness wait
#   preloader-VERSION/runtime/            Java 25 cut down by jlink to the modules below
#   preloader-VERSION/lib/                the jars, their order (classpath), the JVM flags (jvm.options) and the
#                                         start-up cache (preloader-all.aot, its key, and aot.sh that checks it)
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
# java.naming (Chronicle's exceptions, which the hugepages store meets at once), jdk.unsupported (sun.misc.Unsafe),
# and jdk.zipfs, which jdeps cannot see (a file system provider): Jetty reads the page's folder inside the adapters-http
# jar as a zip file system, and without it serve stops at start ("Static resource directory ... does not exist").
MODULES=java.base,java.logging,java.management,java.naming,jdk.management,jdk.unsupported,jdk.zipfs
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
# Modules stored uncompressed: the tarball's gzip packs them smaller than jlink's own per-class zip (20 MB, not 23), and
# a class the start-up cache does not hold loads without being inflated first.
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=zip-0 \
  --output "$home/runtime"

cp "$app/preloader.jar" "$app"/lib/*.jar "$home/lib/"
{ echo preloader.jar; (cd "$app/lib" && ls -1 -- *.jar | LC_ALL=C sort); } > "$home/lib/classpath"
# The flags the CLI's JVM starts with, as ./preloader passes them (scripts/jvm.sh: the pom's jvm.flags, which the tests
# run with, and the start-up ones), as a java @argfile.
source scripts/jvm.sh
printf '%s\n' "${preloader_flags[@]}" > "$home/lib/jvm.options"
cp scripts/aot.sh "$home/lib/aot.sh"

cp packaging/bin/preloader packaging/bin/preloader-ready "$home/bin/"
cp packaging/preloader.yaml "$home/etc/preloader.yaml"
cp -r packaging/systemd packaging/kubernetes packaging/grafana "$home/"
cp README.md "$home/README.md"
echo "$version" > "$home/VERSION"

# The start-up cache (JDK 25's AOT cache, scripts/aot.sh): lib/preloader-all.aot, trained here on the bundled runtime
# with the release's class path and flags on the workload of every command (io.hive.preloader.app.AotTraining), for
# bin/preloader to start on. One cache, not a checkout's two: the second would take a tenth of the tarball's 60 MB.
# Every file gets the tarball's time first, so that the jars and the runtime the cache was trained on are, to the
# nanosecond, those an operator unpacks (the JVM compares their sizes and times). PRELOADER_AOT_TRAINING: the groups
# to train (default "all"; "light load" gives a cache per group, as a checkout has), or "none" for no cache.
find "$home" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
source "$home/lib/aot.sh"
mapfile -t jvm_options < "$home/lib/jvm.options"
release_classpath=""
while IFS= read -r jar; do release_classpath+="${release_classpath:+:}$home/lib/$jar"; done < "$home/lib/classpath"
key="$(aot_key "$home" "$home/runtime" "$release_classpath" "${jvm_options[@]}")"
for group in ${PRELOADER_AOT_TRAINING:-all}; do
  [ "$group" != none ] || break
  echo "package: training the start-up cache lib/preloader-$group.aot on the bundled runtime…" >&2
  if ! aot_train "$home/runtime/bin/java" "$home/lib/preloader-$group.aot" "$key" "$stage/aot-$group.log" "$release_classpath" "$group" "${jvm_options[@]}"; then
    cat "$stage/aot-$group.log" >&2
    echo "error: training the start-up cache lib/preloader-$group.aot failed (log above)" >&2
    exit 1
  fi
  rm -f "$home/lib/preloader-$group.aot.lock"
done

mkdir -p "$dist"
tarball="$name-linux-x64.tar.gz"
rm -f "$dist/$tarball"
# Owner and times fixed, names sorted: the same inputs give the same tarball, but for the start-up caches, which the JVM
# writes afresh at each training.
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" \
  -cf - "$name" | gzip -9n > "$dist/$tarball"
(cd "$dist" && sha256sum "$tarball" > SHA256SUMS)
size="$(du -m "$dist/$tarball" | cut -f1)"
echo "package: dist/$tarball ($(stat -c %s "$dist/$tarball") bytes, about $size MB; runtime $(du -sm "$home/runtime" | cut -f1) MB unpacked)" >&2
echo "dist/$tarball"
