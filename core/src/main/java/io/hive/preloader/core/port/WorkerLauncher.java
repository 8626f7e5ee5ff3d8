package io.hive.preloader.core.port;

/** Starts worker processes (llama.cpp or similar) and tells when they are ready. */
public interface WorkerLauncher {

    /**
     * Starts the worker and blocks until its probe fires, it exits, or the request's timeout passes (it is then
     * stopped). A worker that is ready keeps running; the caller owns it.
     *
     * @throws InterruptedException when the waiting thread is interrupted; the worker is killed first
     */
    WorkerStart start(WorkerRequest request) throws InterruptedException;
}
