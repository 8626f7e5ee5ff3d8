package io.hive.preloader.app.cli;

import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command lines run without picocli: which ones, and that each means and prints what picocli makes of it. */
class ShortcutTest {
    private static final LlamaSpec A = new LlamaSpec(ModelId.of("model-a"), 256, 512, 4, 4, 2, 1000);

    @TempDir
    Path models;

    @Test
    void shouldTakeOnlyStatusAndPreloadOfNamedModelsWithTheRootOptions() {
        for (String line : List.of("status", "--config c.yaml status", "--config=c.yaml -v status", "status --models a --models b",
                "--models a --models=b --verbose status", "preload m", "preload --no-progress m /srv/n.gguf", "--config c preload m",
                "preload m --config c --no-progress", "-v preload status")) {
            assertThat(Shortcut.of(words(line))).as(line).isPresent();
        }
    }

    @Test
    void shouldLeaveEverythingElseToPicocli() {
        for (String line : List.of("", "--version", "--help", "status --help", "status -h", "status -V", "status extra", "help status",
                "preload", "preload --auto", "preload --auto 3", "preload -x m", "preload @list", "preload m -- n", "preload - m",
                "preload --no-progress --no-progress m", "--config a --config b status", "-v -v status", "-vh status",
                "--config status", "--config= status", "--config -x status", "--models @dirs status", "--config c status --models d",
                "--models a preload m --models b", "-v status -v", "stat", "inspect f.gguf", "evict m", "@args status")) {
            assertThat(Shortcut.of(words(line))).as(line).isEmpty();
        }
    }

    /**
     * The shortcut knows these options by name and sets their fields as picocli would; a new one, or a new default or
     * type of one, must be taught to it (or left to picocli) before this list changes.
     */
    @Test
    void shouldKnowEveryOptionOfTheCommandsItTakes() {
        CommandLine cmd = PreloaderCommand.commandLine();
        assertThat(optionsOf(cmd)).containsExactlyInAnyOrder("--config", "--models", "-v", "--verbose", "-h", "--help", "-V", "--version");
        assertThat(optionsOf(cmd.getSubcommands().get("status"))).containsExactlyInAnyOrder("--config", "--models", "-v", "--verbose",
                "-h", "--help", "-V", "--version");
        assertThat(optionsOf(cmd.getSubcommands().get("preload"))).containsExactlyInAnyOrder("--config", "--models", "-v", "--verbose",
                "-h", "--help", "-V", "--version", "--auto", "--no-progress");
        assertThat(cmd.getSubcommands().get("status").getCommandSpec().positionalParameters()).isEmpty();
    }

    private static List<String> optionsOf(CommandLine cmd) {
        return cmd.getCommandSpec().options().stream().flatMap(o -> List.of(o.names()).stream()).toList();
    }

    @Test
    void shouldSetWhatPicocliSets() {
        for (String line : List.of("--config c.yaml status", "status --config=c.yaml -v", "--models a --models=b status",
                "preload --no-progress m /srv/n.gguf", "-v --config c preload m n", "preload m --models d --models=e")) {
            String[] args = words(line);
            ParseResult picocli = PreloaderCommand.commandLine(args).parseArgs(args);
            PreloaderCommand expectedRoot = (PreloaderCommand) picocli.commandSpec().userObject();
            Object expected = picocli.subcommand().commandSpec().userObject();

            Subcommand actual = Shortcut.of(args).orElseThrow().command();

            assertThat(actual).as(line).hasSameClassAs(expected);
            assertThat(actual.root).as(line).usingRecursiveComparison().comparingOnlyFields("configFile", "models", "verbose")
                    .isEqualTo(expectedRoot);
            if (expected instanceof PreloadCommand preload) {
                assertThat(actual).as(line).usingRecursiveComparison().comparingOnlyFields("models", "auto", "noProgress").isEqualTo(preload);
            }
        }
    }

    @Test
    void shouldPrintWhatPicocliPrints() throws IOException {
        DemoModels.write(models, A);
        Path invalid = Files.writeString(models.resolve("broken.gguf"), "not a model");
        Path config = Files.writeString(models.resolve("c.yaml"), "models: [.]\nstore: mmap\nbudget: 16MiB\n");
        Path badConfig = Files.writeString(models.resolve("bad.yaml"), "store: zfs\n");
        String dir = models.toString();
        List<List<String>> lines = List.of(
                List.of("--config", config.toString(), "status"),
                List.of("status", "--models", dir),
                List.of("--models", models.resolve("absent").toString(), "status"),
                List.of("--config", badConfig.toString(), "status"),
                List.of("--config", models.resolve("none.yaml").toString(), "status"),
                List.of("--config", config.toString(), "preload", "--no-progress", "model-a"),
                List.of("preload", "model-a", "--models", dir),
                List.of("--models", dir, "preload", "model-z"),
                List.of("--models", dir, "preload", invalid.toString()),
                List.of("--models", dir, "preload", "a:b"));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            assertThat(Shortcut.of(args)).as("%s is a shortcut", line).isPresent();
            Cli.Result shortcut = Cli.run(args);
            Cli.Result picocli = throughPicocli(args);

            assertThat(shortcut.exitCode()).as("%s: %s", line, shortcut.err()).isEqualTo(picocli.exitCode());
            assertThat(timesMasked(shortcut.out())).as(line.toString()).isEqualTo(timesMasked(picocli.out()));
            assertThat(shortcut.err()).as(line.toString()).isEqualTo(picocli.err());
            assertThat(shortcut.leaked()).as(line.toString()).isEmpty();
        }
    }

    /** Runs {@code args} through picocli alone, as main did before shortcuts. */
    private static Cli.Result throughPicocli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = PreloaderCommand.commandLine(args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Cli.Result(code, out.toString(), err.toString(), "");
    }

    /** A load's time and rate change from run to run; the rest of the line must not. */
    private static String timesMasked(String out) {
        return out.replaceAll("in +[0-9.]+ m?s +[0-9.]+ [KMGT]?B/s", "in T at R");
    }

    private static String[] words(String line) {
        List<String> words = new ArrayList<>(List.of(line.split(" ")));
        words.removeIf(String::isEmpty);
        return words.toArray(String[]::new);
    }
}
