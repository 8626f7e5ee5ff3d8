package io.hive.preloader.core.port;

import java.util.concurrent.CompletableFuture;

/** Starts worker processes (llama.cpp or similar) and tells when they are ready. */
public interface WorkerLauncher {

    /**
     * Told once, on the starting thread, as soon as the worker's process exists, before anything is known of its
     * readiness; never when no process was started ({@link WorkerStart.NotStarted}).
     */
    @FunctionalInterface
    interface Started {
        /**
         * @param pid  the worker's process
         * @param gone completes, with the worker's exit status, once the worker and the processes it started are
         *             gone, however its start ends (ready, exited, timed out and stopped, interrupted and killed), and
         *             never before: what holds the model for the worker may be let go then
         */
        void started(long pid, CompletableFuture<Integer> gone);
    }

    /**
     * Starts the worker and blocks until its probe fires, it exits, or the request's timeout passes (it is then
     * stopped). A worker that is ready keeps running; the caller owns it. When {@code started} throws, the worker is
     * killed and the failure thrown from here.
     *
     * @throws InterruptedException when the waiting thread is interrupted; the worker is killed first (it may still be
     *                              exiting: {@code gone} says when it is)
     */
    WorkerStart start(WorkerRequest request, Started started) throws InterruptedException;

    /** {@link #start(WorkerRequest, Started)} for a caller that holds nothing for the worker. */
    default WorkerStart start(WorkerRequest request) throws InterruptedException {
        return start(request, (pid, gone) -> { });
    }
}
