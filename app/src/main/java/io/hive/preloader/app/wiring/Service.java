package io.hive.preloader.app.wiring;

import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.core.service.MemoryPressureGuard;
import io.hive.preloader.core.service.ModelPreloader;

/**
 * What {@code serve} runs: the preloader, the HTTP server over it, and the guard that shrinks the budget when the
 * host runs short of memory. Closing it shuts the server down gracefully first (in-flight transfers finish or are
 * cancelled, leases and device copies are closed), then the guard, then the preloader (the access journal is saved
 * and resident models are freed).
 */
public record Service(ModelPreloader preloader, PreloaderHttpServer server, MemoryPressureGuard guard) implements AutoCloseable {

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            try {
                guard.close();
            } finally {
                preloader.close();
            }
        }
    }
}
