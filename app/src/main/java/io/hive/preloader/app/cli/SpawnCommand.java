package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigValues;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;
import io.hive.preloader.core.service.SpawnRequest;
import io.hive.preloader.core.service.Spawned;
import io.hive.preloader.core.service.WorkerStartException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code preloader spawn MODEL [probe] -- CMD ARGS…}: starts a worker on a model through the spawn flow (the fast
 * path when the model is resident, else a load from disk first) and reports its time to ready.
 */
@Command(name = "spawn", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Starts a worker process on a model and reports its time to ready.",
                "The model comes from RAM when it is resident (fast path), else it is loaded from disk through the "
                        + "configured store first (slow path). Every " + SpawnFlow.MODEL + " in the command stands for "
                        + "the path the worker reads the model from (also in $" + SpawnFlow.MODEL_VARIABLE + ").",
                "Once ready the worker keeps running and this command waits for it, passing its output on, and exits "
                        + "with its status; --stop-when-ready stops it instead.",
                "Example: preloader spawn llama3 --ready-port 8080 -- llama-server -m {model} --port 8080"})
final class SpawnCommand extends Subcommand {
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    @Parameters(index = "0", paramLabel = "ID|FILE", description = "a model id, or the path of a .gguf file")
    String model;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "the worker's command line, after --")
    List<String> command = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Readiness (default --ready-exit):%n")
    Probe probe;

    static final class Probe {
        @Option(names = "--ready-line", paramLabel = "REGEX", description = "ready when a line of its output matches (grep-like)")
        String line;

        @Option(names = "--ready-port", paramLabel = "N", description = "ready when TCP port N opens on 127.0.0.1")
        Integer port;

        @Option(names = "--ready-exit", description = "ready when it exits with status 0 (a job run to its end)")
        boolean exit;
    }

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "how long to wait for ready before stopping the worker: 90s, 10m, 500ms (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--stop-when-ready", description = "stop the worker once it is ready and exit 0 (to measure a start)")
    boolean stopWhenReady;

    @Option(names = "--quiet-worker", description = "do not pass the worker's output on (its last lines are still shown if it fails)")
    boolean quietWorker;

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            throw Failure.badInput("spawn needs the worker's command after --, e.g. 'preloader spawn MODEL -- llama-server -m {model}'");
        }
        ReadinessProbe readiness = readiness();
        Duration wait = duration(timeout);
        ModelArgs.Target target = ModelArgs.parse(model);
        PreloaderConfig config = root.configFor(List.of(target));
        PrintWriter out = out();
        PrintWriter err = err();
        try (ModelPreloader preloader = Wiring.preloader(config)) {
            ModelDescriptor descriptor = ModelArgs.find(target, preloader.catalog(), config.models());
            SpawnFlow flow = new SpawnFlow(preloader, Wiring.launcher(config));
            SpawnRequest request = new SpawnRequest(descriptor.id(), command, readiness, wait, quietWorker ? line -> { } : passOn(err));
            Spawned spawned;
            try {
                spawned = flow.spawn(request);
            } catch (InvalidModelException e) {
                throw ModelArgs.refusal(target, e);
            } catch (WorkerStartException e) {
                synchronized (err) {
                    err.println("error: " + e.getMessage());
                    if (!e.lastLines().isEmpty()) {
                        err.println("its last " + e.lastLines().size() + " lines of output:");
                        e.lastLines().forEach(l -> err.println("  | " + l));
                    }
                    err.flush();
                }
                return Failure.RUNTIME;
            }
            try {
                out.printf("model %s: %s, %s, in %s%n", spawned.model(), route(spawned), handoff(spawned), Units.seconds(spawned.load()));
                out.printf("worker %d: ready in %s (%s), %s in all%n", spawned.worker().pid(), Units.seconds(spawned.toReady()),
                        readiness.describe(), Units.seconds(spawned.total()));
                out.flush();
                return afterReady(spawned.worker(), readiness, out);
            } catch (RuntimeException | Error | InterruptedException e) {
                spawned.worker().stop(STOP_GRACE); // never leave a worker behind without its command
                throw e;
            }
        }
    }

    private int afterReady(RunningWorker worker, ReadinessProbe readiness, PrintWriter out) throws InterruptedException {
        if (readiness instanceof ReadinessProbe.Exit) {
            return 0;
        }
        if (stopWhenReady) {
            int status = worker.stop(STOP_GRACE).join();
            out.printf("worker %d: stopped (status %d)%n", worker.pid(), status);
            out.flush();
            return 0;
        }
        // The worker is ours: a Ctrl-C or kill of this command stops it too.
        Thread stopper = new Thread(() -> worker.stop(STOP_GRACE).join(), "stop-worker-" + worker.pid());
        Runtime.getRuntime().addShutdownHook(stopper);
        int status;
        try {
            status = worker.exit().join();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops the worker
            }
        }
        out.printf("worker %d: exited with status %d%n", worker.pid(), status);
        out.flush();
        return status;
    }

    private ReadinessProbe readiness() {
        if (probe == null || probe.exit) {
            return ReadinessProbe.exit();
        }
        if (probe.line != null) {
            try {
                return ReadinessProbe.line(probe.line);
            } catch (IllegalArgumentException e) {
                throw Failure.badInput("--ready-line: '" + probe.line + "' is not a regular expression: " + FailureReport.oneLine(e.getMessage()));
            }
        }
        try {
            return ReadinessProbe.port(probe.port);
        } catch (IllegalArgumentException e) {
            throw Failure.badInput("--ready-port: " + e.getMessage());
        }
    }

    /** {@code 90s}, {@code 10m}, {@code 1.5h}, {@code 500ms}; a bare number is seconds. */
    static Duration duration(String text) {
        Duration duration;
        try {
            duration = ConfigValues.duration(text);
        } catch (IllegalArgumentException e) {
            throw Failure.badInput("--timeout: " + e.getMessage());
        }
        if (duration.isZero()) {
            throw Failure.badInput("--timeout: '" + text + "' is not above zero");
        }
        return duration;
    }

    private static Consumer<String> passOn(PrintWriter err) {
        return line -> {
            synchronized (err) {
                err.println(line);
                err.flush();
            }
        };
    }

    private static String route(Spawned spawned) {
        return switch (spawned.route()) {
            case RESIDENT -> "resident (fast path)";
            case LOADED -> "loaded from disk (slow path)";
            case UNCACHED -> "not cached, it does not fit the budget";
        };
    }

    private static String handoff(Spawned spawned) {
        Optional<Handoff> handoff = spawned.handoff();
        String path = spawned.modelPath().toString();
        if (handoff.isEmpty()) {
            return "the worker reads the file " + path + " from disk";
        }
        return switch (handoff.get()) {
            case Handoff.PageCacheFile f -> "handed over as the page-cache file " + path;
            case Handoff.SharedFile s -> "handed over as the shared file " + path;
            case Handoff.PrivateMemory p -> "the worker reads the file " + path + " (the store's copy is private to this process)";
            default -> "handed over as " + path;
        };
    }
}
