package io.hive.preloader.app;

import io.hive.preloader.app.cli.PreloaderCommand;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The training run of the JVM's ahead-of-time cache (JDK 25, JEPs 483/514/515): the commands an operator runs, each
 * once, in one JVM started with {@code -XX:AOTCacheOutput}, so that the classes they load and link and the profiles of
 * the methods they run are in the cache that later starts map. A JVM started on such a cache loads every class in it
 * before {@code main}, whichever command runs: so a source checkout has two caches, each trained on a {@link Group} of
 * commands, the release one for both, and {@code --version} alone starts on none (it loads a handful of classes). {@code serve} is left out: Jetty's
 * classes would grow the cache of the commands that load models, which it starts on, for a daemon started once.
 *
 * <p>Run by {@code scripts/aot.sh} (the build and the launcher) and by {@code packaging/package.sh} with the group's name;
 * it fails, naming the command, when one does not end as it should, so that a cache is never trained on an error path by
 * mistake. The models are three tiny generated ones, and the config files have every section.
 */
public final class AotTraining {
    private static final List<ModelId> MODELS = List.of(ModelId.of("tiny-a"), ModelId.of("tiny-b"), ModelId.of("tiny-c"));

    /** Which commands a cache is for; the launchers pick the cache by the command (scripts/aot.sh, {@code aot_group}). */
    enum Group {
        /** Everything but the commands below: help, status, inspect, evict. */
        LIGHT,
        /** The commands that wire a preloader and load models: preload, demo, spawn, and serve and generate. */
        LOAD,
        /**
         * Both, for the release, which ships one cache for every command: a second would take a tenth of its size
         * limit; status then loads at start the classes only the loading commands use.
         */
        ALL
    }

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: AotTraining light|load|all");
            System.exit(2);
        }
        Group group = Group.valueOf(args[0].toUpperCase(Locale.ROOT));
        Path work = Files.createTempDirectory("preloader-aot-training");
        try {
            List<String> failed = run(workload(group, work));
            if (!failed.isEmpty()) {
                System.err.println("error: the AOT training workload failed: " + String.join("; ", failed));
                System.exit(1);
            }
        } finally {
            delete(work);
        }
    }

    /** One command line and the exit code it must end with. */
    record Step(int exitCode, List<String> args) {
        Step(int exitCode, String... args) {
            this(exitCode, List.of(args));
        }
    }

    static List<Step> workload(Group group, Path work) throws IOException {
        Path models = Files.createDirectories(work.resolve("models"));
        for (ModelId id : MODELS) {
            // The smallest shape LlamaSpec allows: a header like a real model's, a few hundred KiB of tensors.
            DemoModels.write(models, new LlamaSpec(id, 256, 256, 1, 1, 1, 300));
        }
        Path file = models.resolve("tiny-b.gguf");
        String mmap = config(work, models, "mmap").toString();
        String dir = models.toString();
        List<Step> light = List.of(
                new Step(0, "--help"),
                new Step(0, "status", "--help"),
                new Step(0, "--config", mmap, "status"),
                new Step(0, "--models", dir, "status"),
                new Step(0, "inspect", file.toString()),
                new Step(0, "inspect", file.toString(), "--json"),
                new Step(2, "inspect", Files.writeString(work.resolve("not-a-model.gguf"), "not a GGUF file\n").toString()),
                new Step(0, "--config", mmap, "evict", "tiny-a"));
        List<Step> load = List.of(
                new Step(0, "--config", mmap, "preload", "--no-progress", "tiny-a", file.toString()),
                new Step(2, "--config", mmap, "preload", "--no-progress", "no-such-model"),
                new Step(0, "--config", config(work, models, "buffer").toString(), "preload", "--no-progress", "tiny-a"),
                new Step(0, "--config", config(work, models, "hugepages").toString(), "preload", "--no-progress", "tiny-c"),
                new Step(0, "--config", mmap, "spawn", "--quiet-worker", "tiny-b", "--", "/bin/sh", "-c", "exit 0"),
                new Step(0, "--models", dir, "demo"));
        return switch (group) {
            case LIGHT -> light;
            case LOAD -> load;
            case ALL -> Stream.concat(light.stream(), load.stream()).toList();
        };
    }

    /** A config with every section, as an operator's would have, for one store. */
    private static Path config(Path work, Path models, String store) throws IOException {
        String yaml = """
                models: [%1$s]
                aliases: {first: %1$s/tiny-a.gguf}
                store: %2$s
                mmap: {lock: false}
                buffer: {direct_io: false}
                hugepages: {mount: null, fallback: %3$s}
                policy: caffeine
                budget: 64MiB
                auto_preload: 0
                sink: host
                device: 0
                plan: auto
                chunk_size: 16MiB
                readers: 2
                journal: %3$s/journal-%2$s.tsv
                keep: [tiny-c]
                http: {host: 127.0.0.1, port: 0, max_body: 64KiB, shutdown_timeout: 5}
                workers:
                  check: {command: [/bin/true, "{model}"], ready_exit: true, timeout: 10s}
                """.formatted(models, store, work);
        return Files.writeString(work.resolve(store + ".yaml"), yaml);
    }

    /** Runs each step as {@code main} would, its output discarded; returns the steps that ended otherwise. */
    static List<String> run(List<Step> steps) {
        List<String> failed = new ArrayList<>();
        PrintWriter discard = new PrintWriter(Writer.nullWriter());
        for (Step step : steps) {
            String[] args = step.args().toArray(String[]::new);
            int code = PreloaderCommand.execute(args, discard, discard);
            if (code != step.exitCode()) {
                failed.add("'preloader " + String.join(" ", step.args()) + "' exited " + code + ", not " + step.exitCode());
            }
        }
        return failed;
    }

    private static void delete(Path work) {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the training folder " + work + ": " + e.getMessage(), e);
        }
    }
}
