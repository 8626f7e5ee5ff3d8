package io.hive.preloader.core.port;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A worker process that a {@link WorkerLauncher} started and found ready. Its output keeps being read. */
public interface RunningWorker {

    long pid();

    /** The last lines it printed so far, oldest first (a bounded number, each cut to a bounded length). */
    List<String> lastLines();

    boolean isAlive();

    /** Completes with the exit status once the worker has exited (128 + the signal's number when a signal ended it). */
    CompletableFuture<Integer> exit();

    /**
     * Asks the worker and its descendants to stop (SIGTERM), and kills them (SIGKILL) if they are still running
     * after {@code grace}. Returns at once.
     *
     * @return {@link #exit()}
     */
    CompletableFuture<Integer> stop(Duration grace);
}
