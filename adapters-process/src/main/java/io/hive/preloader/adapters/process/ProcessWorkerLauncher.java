package io.hive.preloader.adapters.process;

import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.port.WorkerStart;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Starts workers as child processes ({@link ProcessBuilder}) and waits for their readiness probe: a line of their
 * output (stdout and stderr merged), a TCP port opening on 127.0.0.1 (polled every {@value #POLL_MILLIS} ms), or
 * their exit. The worker's standard input is closed at once; its output is read for as long as it runs, each line
 * handed to the request's listener and the last ones kept for the report of a failed start. A worker not ready in
 * time is stopped (SIGTERM, then SIGKILL after {@link #STOP_GRACE}), its children with it. The caller is told of the
 * process as soon as it exists, with the end of its whole process tree ({@link ProcessTree}): a wrapper that starts
 * the real worker and exits does not end it.
 */
public final class ProcessWorkerLauncher implements WorkerLauncher {
    /** Lines kept for the report of a worker that failed to start. */
    public static final int DEFAULT_TAIL_LINES = 20;
    static final long POLL_MILLIS = 10;
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    /** How long the rest of a worker's output may take to arrive after it exited (its children may hold the pipe). */
    private static final long DRAIN_MILLIS = 2_000;

    private final int tailLines;
    private final Function<Duration, CompletableFuture<?>> deadlines;

    public ProcessWorkerLauncher() {
        this(DEFAULT_TAIL_LINES);
    }

    /** @param tailLines how many of a worker's last lines to keep */
    public ProcessWorkerLauncher(int tailLines) {
        this(tailLines, timeout -> new CompletableFuture<Void>().completeOnTimeout(null, timeout.toNanos(), TimeUnit.NANOSECONDS));
    }

    /**
     * @param deadlines for a readiness timeout, the event that ends the wait: the timeout passing (a test ends it on an
     *                  event of its own instead, so that it never races the clock)
     */
    ProcessWorkerLauncher(int tailLines, Function<Duration, CompletableFuture<?>> deadlines) {
        if (tailLines < 1) {
            throw new IllegalArgumentException("tailLines must be at least 1, got " + tailLines);
        }
        this.tailLines = tailLines;
        this.deadlines = deadlines;
    }

    private enum Outcome { READY, EXITED, TIMED_OUT }

    @Override
    public WorkerStart start(WorkerRequest request, Started started) throws InterruptedException {
        if (request.probe() instanceof ReadinessProbe.Port(int port) && LoopbackPort.isOpen(port)) {
            return new WorkerStart.NotStarted("port " + port + " on 127.0.0.1 is already open before the worker started: "
                    + "the probe could not tell the worker's listener from another process's");
        }
        ProcessBuilder builder = new ProcessBuilder(request.command()).redirectErrorStream(true);
        builder.environment().putAll(request.environment());
        CompletableFuture<?> deadline = deadlines.apply(request.timeout());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new WorkerStart.NotStarted(e.getMessage());
        }
        closeInput(process);
        Optional<Pattern> pattern = request.probe() instanceof ReadinessProbe.Line(Pattern p) ? Optional.of(p) : Optional.empty();
        ChildWorker worker = new ChildWorker(process, OutputReader.start(process, tailLines, request.output(), pattern),
                ProcessTree.follow(process));
        try {
            started.started(process.pid(), worker.gone());
        } catch (RuntimeException | Error e) {
            deadline.cancel(false);
            worker.stop(Duration.ZERO);
            throw e;
        }
        Outcome outcome;
        try {
            outcome = switch (request.probe()) {
                case ReadinessProbe.Line ignored -> awaitLine(worker, deadline);
                case ReadinessProbe.Port(int port) -> awaitPort(worker, port, deadline);
                case ReadinessProbe.Exit ignored -> awaitExit(worker, deadline);
            };
        } catch (InterruptedException e) {
            worker.stop(Duration.ZERO);
            throw e;
        } finally {
            deadline.cancel(false);
        }
        return switch (outcome) {
            case READY -> new WorkerStart.Ready(worker);
            case EXITED -> {
                worker.output().awaitDrained(DRAIN_MILLIS);
                yield new WorkerStart.Exited(process.pid(), process.exitValue(), worker.lastLines());
            }
            case TIMED_OUT -> {
                awaitStopped(worker);
                yield new WorkerStart.TimedOut(process.pid(), worker.lastLines());
            }
        };
    }

    private static void closeInput(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // the worker reads nothing from us either way
        }
    }

    private static Outcome awaitLine(ChildWorker worker, CompletableFuture<?> deadline) throws InterruptedException {
        CompletableFuture<Void> lineSeen = worker.output().lineSeen();
        await(lineSeen, worker.exit(), deadline);
        if (lineSeen.isDone()) {
            return Outcome.READY;
        }
        if (!worker.exit().isDone()) {
            return Outcome.TIMED_OUT;
        }
        // It exited: its ready line may still be in the pipe.
        worker.output().awaitDrained(DRAIN_MILLIS);
        return lineSeen.isDone() ? Outcome.READY : Outcome.EXITED;
    }

    private static Outcome awaitPort(ChildWorker worker, int port, CompletableFuture<?> deadline) throws InterruptedException {
        while (true) {
            if (LoopbackPort.isOpen(port)) {
                return Outcome.READY;
            }
            if (!worker.process().isAlive()) {
                return Outcome.EXITED;
            }
            if (deadline.isDone()) {
                return Outcome.TIMED_OUT;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static Outcome awaitExit(ChildWorker worker, CompletableFuture<?> deadline) throws InterruptedException {
        await(worker.exit(), deadline);
        if (!worker.exit().isDone()) {
            return Outcome.TIMED_OUT;
        }
        worker.output().awaitDrained(DRAIN_MILLIS);
        return worker.process().exitValue() == 0 ? Outcome.READY : Outcome.EXITED;
    }

    /** Waits until one of {@code events} happens. */
    private static void await(CompletableFuture<?>... events) throws InterruptedException {
        try {
            CompletableFuture.anyOf(events).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a worker failed", e.getCause());
        }
    }

    private static void awaitStopped(ChildWorker worker) throws InterruptedException {
        try {
            worker.stop(STOP_GRACE).get(STOP_GRACE.toMillis() + DRAIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // SIGKILL was sent; what it printed until then is in its tail
        }
        worker.output().awaitDrained(DRAIN_MILLIS);
    }

}
