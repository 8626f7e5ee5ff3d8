# The JVM's ahead-of-time cache for the preloader (JDK 25, JEPs 483/514/515): the classes a training run loaded and
# linked, and its method profiles, mapped by every later start. Sourced by ./preloader and scripts/aot-train.sh in the
# source tree, and by the release's bin/preloader and packaging/package.sh (as lib/aot.sh).
#
# A cache is valid only for the runtime, JVM flags and class path it was trained with. Given another, the JVM (in its
# default -XX:AOTMode=auto) starts without it, but prints its warnings and errors on stdout, where they would spoil the
# command's output: so a launcher compares a key of what the cache was trained with before it passes the cache, says in
# one line when it is stale, and silences the JVM's own aot and cds messages.

# aot_key BASE JAVA_HOME CLASSPATH FLAGS…: what a cache depends on, a line each: the JVM flags; the runtime's release
# file, modules image and libjvm; each class path entry; files with their size and modification time to the nanosecond,
# named relative to BASE when they are inside it. A tree moved as a whole keeps its key, as it keeps its cache (the JVM
# matches class paths after their longest common prefix).
aot_key() {
  local base="$1" java_home="$2" classpath="$3" entries files
  shift 3
  IFS=: read -ra entries <<< "$classpath"
  files=("$java_home/release" "$java_home/lib/modules" "$java_home/lib/server/libjvm.so" "${entries[@]}")
  printf 'flags %s\n' "$*"
  # Called in $(…): the cd changes the directory of that subshell only.
  cd "$base" && stat -L -c 'file %n %s %.9Y' "${files[@]#"$base"/}" 2>&1
}

# aot_group ARGS…: sets aot_group to the cache a command line starts on (io.hive.preloader.app.AotTraining.Group):
# none for the version alone (it loads a handful of classes, and a JVM loads every class of its cache before main),
# load for the commands that wire a preloader, light for the rest; the subcommand is the first word that is neither an
# option of the root nor the value of one. And sets group_options to the JVM options of that kind of command: the short
# ones (none, light) compile with C1 alone and collect with the serial GC, since C1 and C2 compiling code that runs once
# took a third of their CPU time, and G1 starts threads for a heap of a few MiB; the others, serve and the loads among
# them, keep the JVM's defaults. Neither changes what a cache holds or whether the JVM takes it.
aot_group() {
  local args=("$@") i=0
  aot_group=light
  group_options=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
  if [ $# = 1 ] && { [ "$1" = --version ] || [ "$1" = -V ]; }; then
    aot_group=none
    return
  fi
  while [ "$i" -lt "${#args[@]}" ]; do
    case "${args[i]}" in
      --config | --models) i=$((i + 2)); continue ;;
      -*) ;;
      preload | demo | spawn | serve | generate) aot_group=load; group_options=(); return ;;
      *) return ;;
    esac
    i=$((i + 1))
  done
}

# aot_select BASE JAVA_HOME CACHE CLASSPATH GROUP TRAIN FLAGS…: sets the array aot_options to the JVM options that use
# CACHE (of GROUP) when it was trained for this JAVA_HOME, CLASSPATH and FLAGS, else to none. A stale cache gets one line on stderr and
# is not passed. With TRAIN=yes a stale or missing cache is trained first (the first start after a change of runtime,
# or after jars made without the build's training), unless its training failed before for the same key.
aot_select() {
  local base="$1" java_home="$2" cache="$3" classpath="$4" group="$5" train="$6" key old what status=0
  shift 6
  aot_options=()
  key="$(aot_key "$base" "$java_home" "$classpath" "$@")"
  if [ -f "$cache" ] && [ -f "$cache.key" ]; then
    old="$(< "$cache.key")"
    if [ "$old" = "$key" ]; then
      aot_options=("-XX:AOTCache=$cache" "-Xlog:aot*=off" "-Xlog:cds*=off")
      return 0
    fi
    what="other jars"
    [ "$(head -4 <<< "$old")" = "$(head -4 <<< "$key")" ] || what="another Java runtime or other JVM flags (now $java_home)"
    echo "preloader: the start-up cache $cache was made for $what; not using it$([ "$train" != yes ] || echo ", making a new one")" >&2
  elif [ "$train" != yes ] || { [ -f "$cache.failed" ] && [ "$(< "$cache.failed")" = "$key" ]; }; then
    return 0
  elif [ -t 2 ]; then
    echo "preloader: making the start-up cache $cache (once) ..." >&2
  fi
  [ "$train" = yes ] || return 0
  aot_train "$java_home/bin/java" "$cache" "$key" "$cache.log" "$classpath" "$group" "$@" || status=$?
  if [ "$status" = 0 ]; then
    aot_options=("-XX:AOTCache=$cache" "-Xlog:aot*=off" "-Xlog:cds*=off")
  elif [ "$status" != 3 ]; then
    printf '%s\n' "$key" > "$cache.failed"
    echo "preloader: could not make the start-up cache (see $cache.log); starting without it" >&2
  fi
}

# aot_train JAVA CACHE KEY LOG CLASSPATH GROUP FLAGS…: trains CACHE with the built-in workload of GROUP
# (io.hive.preloader.app.AotTraining) on JAVA with FLAGS and CLASSPATH, all of its output in LOG, checks that a JVM starts on it, and writes KEY beside it
# (CACHE.key). Returns 0 when trained, 3 when another process holds the training lock (nothing done), else 1.
aot_train() {
  local java="$1" cache="$2" key="$3" log="$4" classpath="$5" group="$6"
  shift 6
  local partial="$cache.partial.$$"
  (
    if command -v flock > /dev/null; then
      exec 9> "$cache.lock"
      flock -n 9 || exit 3
    fi
    rm -f "$cache" "$cache.key" "$cache.failed"
    # A training that fails leaves nothing half-made for the next start to find.
    trap 'rm -f "$partial" "$partial.config" "$cache.key.$$"' EXIT
    "$java" "$@" -XX:AOTCacheOutput="$partial" -cp "$classpath" io.hive.preloader.app.AotTraining "$group" > "$log" 2>&1 || exit 1
    # The training exits 0 even when the JVM that assembles the cache crashed: the cache must also start a JVM that
    # insists on it (-XX:AOTMode=on refuses to start without it).
    if [ ! -s "$partial" ] || ! "$java" "$@" -XX:AOTCache="$partial" -XX:AOTMode=on -cp "$classpath" io.hive.preloader.app.Main --version >> "$log" 2>&1; then
      echo "aot: no usable cache was written" >> "$log"
      exit 1
    fi
    mv -f "$partial" "$cache"
    printf '%s\n' "$key" > "$cache.key.$$" && mv -f "$cache.key.$$" "$cache.key"
  )
}
