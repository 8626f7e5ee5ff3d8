package io.hive.preloader.core.testing;

import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.port.WorkerStart;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A WorkerLauncher without processes: it records each request, tells the caller of the worker's "process" at once
 * (its pid, and its exit as the end of its tree), runs a check at that moment, can hold a start until told to go on,
 * and ends each start as scripted (ready unless told otherwise). A worker that exits before it is ready has exited
 * by the time its start returns; one timed out or interrupted may be told to still be exiting then.
 */
public final class FakeLauncher implements WorkerLauncher {
    private final List<WorkerRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicLong pids = new AtomicLong(4000);
    private volatile Consumer<WorkerRequest> onStart = request -> { };
    private volatile Function<Worker, WorkerStart> outcome = FakeLauncher::ready;
    private volatile String notStarted;
    private volatile CountDownLatch gate;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean interrupt;

    /** Runs while the worker starts: where a test looks at what the flow holds then. */
    public FakeLauncher onStart(Consumer<WorkerRequest> check) {
        this.onStart = check;
        return this;
    }

    /** Starts block after {@link #onStart} until {@link #proceed} is called. */
    public FakeLauncher hold() {
        gate = new CountDownLatch(1);
        return this;
    }

    public void proceed() {
        gate.countDown();
    }

    /** Waits until a worker has begun to start. */
    public void awaitStarted() throws InterruptedException {
        if (!started.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no worker was started");
        }
    }

    public FakeLauncher exitsWith(int code, List<String> lastLines) {
        outcome = w -> {
            w.exit.complete(code);
            return new WorkerStart.Exited(w.pid, code, lastLines);
        };
        return this;
    }

    public FakeLauncher timesOut(List<String> lastLines) {
        outcome = w -> {
            w.exit.complete(143);
            return new WorkerStart.TimedOut(w.pid, lastLines);
        };
        return this;
    }

    /** Not ready in time, and still running when the start returns (SIGKILL sent, the process not reaped yet). */
    public FakeLauncher timesOutStillExiting(List<String> lastLines) {
        outcome = w -> new WorkerStart.TimedOut(w.pid, lastLines);
        return this;
    }

    /** No process is started from now on, for this reason. */
    public FakeLauncher cannotStart(String reason) {
        notStarted = reason;
        return this;
    }

    /** The next start is interrupted, as if the waiting thread were. */
    public FakeLauncher interrupted() {
        interrupt = true;
        return this;
    }

    public List<WorkerRequest> requests() {
        return List.copyOf(requests);
    }

    /** Every worker whose process was started, ready or not, oldest first. */
    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    @Override
    public WorkerStart start(WorkerRequest request, Started told) throws InterruptedException {
        requests.add(request);
        if (notStarted != null) {
            return new WorkerStart.NotStarted(notStarted);
        }
        Function<Worker, WorkerStart> scripted = outcome;
        Worker worker = new Worker(pids.incrementAndGet());
        workers.add(worker);
        told.started(worker.pid, worker.exit);
        onStart.accept(request);
        started.countDown();
        CountDownLatch g = gate;
        if (g != null && !g.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the test never let the worker go on");
        }
        if (interrupt) {
            throw new InterruptedException("test"); // killed, but it may still be exiting: its exit says when it has
        }
        return scripted.apply(worker);
    }

    private static WorkerStart ready(Worker w) {
        return new WorkerStart.Ready(w);
    }

    /** The next ready worker is one that has already exited with this status (as with a readiness probe on its exit). */
    public FakeLauncher exitsCleanly(int status) {
        outcome = w -> {
            w.exit.complete(status);
            return new WorkerStart.Ready(w);
        };
        return this;
    }

    /** A worker that runs until stopped. */
    public static final class Worker implements RunningWorker {
        private final long pid;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Worker(long pid) {
            this.pid = pid;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public List<String> lastLines() {
            return List.of("ready");
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public CompletableFuture<Integer> stop(Duration grace) {
            exit.complete(143);
            return exit;
        }
    }
}
