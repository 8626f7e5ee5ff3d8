# Sourced by ./preloader and scripts/aot-train.sh: how a source checkout starts the CLI's JVM.

# The flags every JVM of the project needs on JDK 25 (DESIGN.md; the pom's jvm.flags, which the tests run with):
# without them the JVM warns on stderr.
preloader_flags=(
  --enable-native-access=ALL-UNNAMED
  --sun-misc-unsafe-memory-access=allow
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  # Start-up only: core reflection through JNI rather than a method handle spun for each method and constructor
  # called (JEP 416's own switch). Guice, Jackson and picocli call each once or twice in a command, and the spinning
  # was half of reading a config file.
  -Djdk.reflect.useNativeAccessorOnly=true
)

# preloader_classpath ROOT: sets $classpath to the app's jar, then its dependencies in byte order of their names. One
# fixed order, whatever the locale or the directory's order: an AOT cache serves the one class path it was trained on.
preloader_classpath() {
  local LC_ALL=C jar
  classpath="$1/app/target/preloader.jar"
  for jar in "$1"/app/target/lib/*.jar; do
    classpath+=":$jar"
  done
}
