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
 * A WorkerLauncher without processes: it records each request, runs a check at the moment a worker "starts", can
 * hold a start until told to go on, and ends each start as scripted (ready unless told otherwise).
 */
public final class FakeLauncher implements WorkerLauncher {
    private final List<WorkerRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicLong pids = new AtomicLong(4000);
    private volatile Consumer<WorkerRequest> onStart = request -> { };
    private volatile Function<Long, WorkerStart> outcome = FakeLauncher::ready;
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
        outcome = pid -> new WorkerStart.Exited(pid, code, lastLines);
        return this;
    }

    public FakeLauncher timesOut(List<String> lastLines) {
        outcome = pid -> new WorkerStart.TimedOut(pid, lastLines);
        return this;
    }

    public FakeLauncher cannotStart(String reason) {
        outcome = pid -> new WorkerStart.NotStarted(reason);
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

    /** Every worker started ready, oldest first. */
    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    @Override
    public WorkerStart start(WorkerRequest request) throws InterruptedException {
        requests.add(request);
        onStart.accept(request);
        started.countDown();
        CountDownLatch g = gate;
        if (g != null && !g.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the test never let the worker go on");
        }
        if (interrupt) {
            throw new InterruptedException("test");
        }
        WorkerStart start = outcome.apply(pids.incrementAndGet());
        if (start instanceof WorkerStart.Ready(Worker w)) {
            workers.add(w);
        }
        return start;
    }

    private static WorkerStart ready(long pid) {
        return new WorkerStart.Ready(new Worker(pid));
    }

    /** The next ready worker is one that has already exited with this status (as with a readiness probe on its exit). */
    public FakeLauncher exitsCleanly(int status) {
        outcome = pid -> {
            Worker w = new Worker(pid);
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
