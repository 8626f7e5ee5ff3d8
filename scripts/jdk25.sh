# Sourced by ./build and ./preloader: finds a JDK 25 and exports JAVA_HOME, or says what is missing.
# The feature version of the Java at $1: from its release file when it has one (no JVM started, which ./preloader would pay
# on every command), else from the JVM itself.
jdk25_version() {
  local line
  if [ -f "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) line="${line#JAVA_VERSION=}"; line="${line//\"/}"; echo "${line%%.*}"; return 0 ;; esac
    done < "$1/release"
  fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}
find_jdk25() {
  local candidate
  for candidate in "${PRELOADER_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /opt/java/*25* /opt/jdk*25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    local v; v=$(jdk25_version "$candidate")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"; return 0
    fi
  done
  echo "error: JDK 25 not found (looked at \$PRELOADER_JAVA_HOME, \$JAVA_HOME and /usr/lib/jvm/*25*); install Temurin 25 or set JAVA_HOME to a JDK 25" >&2
  return 1
}
