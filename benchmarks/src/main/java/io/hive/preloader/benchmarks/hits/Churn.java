package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a busy daemon does beside the hits: one thread preloads a large model and evicts it again, over and over (each
 * eviction frees gigabytes: munmap, {@code DONTNEED}), another reads {@code stats()} 20 times a second, as a
 * dashboard and the memory guard would.
 */
final class Churn {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong releases = new AtomicLong();
    private final Thread cycler;
    private final Thread reader;

    private Churn(ModelPreloader preloader, ModelId model) {
        cycler = Thread.ofPlatform().name("churn-cycle").daemon().start(() -> {
            while (running.get()) {
                try {
                    preloader.preload(model).get(10, TimeUnit.MINUTES);
                    if (preloader.evict(model)) {
                        releases.incrementAndGet();
                    }
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

    static Churn start(ModelPreloader preloader, ModelId model) {
        return new Churn(preloader, model);
    }

    /** Stops both threads and returns how many times the large model was evicted. */
    long stop() throws InterruptedException {
        running.set(false);
        reader.interrupt();
        cycler.join(TimeUnit.MINUTES.toMillis(5));
        reader.join();
        return releases.get();
    }
}
