package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a busy daemon does beside the hits. One thread preloads two large models in turn under a budget with room for
 * one of them: each admission evicts the other, freed before the new load (munmap, {@code DONTNEED} of gigabytes).
 * Every other turn the resident one is first evicted while a lease holds it, so its last lease's close hands it to
 * the background releaser and the next admission waits for those bytes. Another thread reads {@code stats()} 20 times
 * a second, as a dashboard and the memory guard would.
 */
final class Churn {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread cycler;
    private final Thread reader;

    private Churn(ModelPreloader preloader, ModelId[] turns) {
        cycler = Thread.ofPlatform().name("churn-cycle").daemon().start(() -> {
            for (long turn = 0; running.get(); turn++) {
                ModelId resident = turns[(int) (turn % 2)];
                ModelId next = turns[(int) ((turn + 1) % 2)];
                try {
                    if (turn % 2 == 1) {
                        evictWhileLeased(preloader, resident);
                    }
                    preloader.preload(next).get(10, TimeUnit.MINUTES);
                } catch (Exception e) {
                    if (running.get()) {
                        System.err.println("churn: " + e);
                    }
                }
            }
        });
        reader = Thread.ofPlatform().name("churn-stats").daemon().start(() -> {
            while (running.get()) {
                preloader.stats();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static void evictWhileLeased(ModelPreloader preloader, ModelId model) {
        Optional<Lease> lease = preloader.open(model);
        try {
            preloader.evict(model);
        } finally {
            lease.ifPresent(Lease::close);
        }
    }

    static Churn start(ModelPreloader preloader, ModelId[] turns) {
        return new Churn(preloader, turns);
    }

    void stop() throws InterruptedException {
        running.set(false);
        reader.interrupt();
        cycler.join(TimeUnit.MINUTES.toMillis(5));
        reader.join();
    }
}
