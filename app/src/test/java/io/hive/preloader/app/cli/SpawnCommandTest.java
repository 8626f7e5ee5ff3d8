package io.hive.preloader.app.cli;

import io.hive.preloader.app.spawn.ChecksumWorker;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code preloader spawn}, run as main runs it, with real worker processes. */
class SpawnCommandTest {
    @TempDir
    Path models;

    String expected;

    Path model() throws IOException {
        byte[] bytes = ModelFiles.model(8 << 20, 7);
        expected = ChecksumWorker.line(ChecksumWorker.crc32c(MemorySegment.ofArray(bytes)), bytes.length);
        return Files.write(models.resolve("m.gguf"), bytes);
    }

    static String[] args(List<String> options, List<String> command) {
        List<String> all = new ArrayList<>(options);
        all.add("--");
        all.addAll(command);
        return all.toArray(String[]::new);
    }

    @Test
    void shouldReportTheRouteAndTheTimeToReadyAndPassTheWorkersOutputOn() throws IOException {
        Path file = model();

        Cli.Result result = Cli.run(args(List.of("spawn", "--models", models.toString(), "m", "--ready-line", "^ready$", "--stop-when-ready"),
                ChecksumWorker.command("{model}")));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("model m: loaded from disk \\(slow path\\), handed over as the page-cache file "
                + java.util.regex.Pattern.quote(file.toRealPath().toString()) + ", in [0-9.]+ s\n");
        assertThat(result.out()).containsPattern("worker \\d+: ready in [0-9.]+ s \\(a line matching /\\^ready\\$/\\), [0-9.]+ s in all\n");
        assertThat(result.out()).containsPattern("worker \\d+: stopped \\(status \\d+\\)");
        assertThat(result.err()).contains(expected, "ready");
        assertThat(result.leaked()).isEmpty();
    }

    @Test
    void shouldWaitForTheWorkerToExitByDefault() throws IOException {
        Path file = model();

        Cli.Result result = Cli.run("spawn", "--models", models.toString(), file.toString(), "--quiet-worker", "--",
                "/bin/sh", "-c", "echo \"checked $1\"", "worker", "{model}");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).containsPattern("worker \\d+: ready in [0-9.]+ s \\(exit with status 0\\)");
        assertThat(result.err()).as("quiet").isEmpty();
    }

    @Test
    void shouldExitWithTheWorkersStatusOnceItEndsAfterReady() throws IOException {
        model();

        Cli.Result result = Cli.run("spawn", "--models", models.toString(), "m", "--ready-line", "serving", "--",
                "/bin/sh", "-c", "echo serving; exit 5");

        assertThat(result.exitCode()).isEqualTo(5);
        assertThat(result.out()).containsPattern("worker \\d+: exited with status 5\n");
        assertThat(result.err()).isEqualTo("serving\n");
    }

    @Test
    void shouldShowTheExitStatusAndLastLinesOfAWorkerThatFailsToStart() throws IOException {
        model();

        Cli.Result result = Cli.run("spawn", "--models", models.toString(), "m", "--ready-port", "1", "--quiet-worker", "--",
                "/bin/sh", "-c", "echo 'llama_model_load: error loading model'; echo 'failed to load model' >&2; exit 1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).hasSize(4);
        assertThat(result.errLines()[0]).matches("error: the worker for m \\(pid \\d+\\) exited with status 1 before it was ready "
                + "\\(after [0-9.]+ s, waiting for port 1 open on 127.0.0.1\\)");
        assertThat(result.errLines()).endsWith("its last 2 lines of output:", "  | llama_model_load: error loading model", "  | failed to load model");
    }

    @Test
    void shouldRefuseBadInputOnOneLine() throws IOException {
        model();
        String m = models.toString();

        assertThat(Cli.run("spawn", "--models", m, "m").err())
                .isEqualTo("error: spawn needs the worker's command after --, e.g. 'preloader spawn MODEL -- llama-server -m {model}'\n");
        assertThat(Cli.run("spawn", "--models", m, "m", "--ready-line", "(", "--", "true").err()).startsWith("error: --ready-line: '(' is not a regular expression");
        assertThat(Cli.run("spawn", "--models", m, "m", "--ready-port", "0", "--", "true").err())
                .isEqualTo("error: --ready-port: port 0 is not a TCP port (1-65535)\n");
        assertThat(Cli.run("spawn", "--models", m, "m", "--timeout", "soon", "--", "true").err())
                .isEqualTo("error: --timeout: 'soon' is not a duration like 90s, 10m or 500ms\n");
        Cli.Result both = Cli.run("spawn", "--models", m, "m", "--ready-exit", "--ready-port", "80", "--", "true");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Cli.Result missing = Cli.run("spawn", "--models", m, "nope", "--", "true");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: nope: no such model in " + models + " (1 models there: m)\n");
    }

    @Test
    void shouldNameAProgramThatCannotBeStarted() throws IOException {
        model();

        Cli.Result result = Cli.run("spawn", "--models", models.toString(), "m", "--", "/nonexistent/llama-server", "-m", "{model}");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("error: the worker for m could not be started: Cannot run program \"/nonexistent/llama-server\"");
    }

    @Test
    void shouldReadDurations() {
        assertThat(SpawnCommand.duration("90s")).hasSeconds(90);
        assertThat(SpawnCommand.duration("10m")).hasMinutes(10);
        assertThat(SpawnCommand.duration("500ms")).hasMillis(500);
        assertThat(SpawnCommand.duration("1.5h")).hasMinutes(90);
        assertThat(SpawnCommand.duration("3")).hasSeconds(3);
    }
}
