package io.hive.preloader.core.cache;

import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How much of each model is in RAM now, measured at most once per interval on the background executor and published
 * as an immutable sample. Measuring ({@code mincore} over every page of a page-cache mapping, with a vector per
 * model) takes milliseconds for tens of gigabytes, so nothing that must be fast waits for it: a reader gets the last
 * sample and, when it is older than the interval, asks for the next one.
 */
final class ResidencySampler {
    private static final System.Logger LOG = System.getLogger(ResidencySampler.class.getName());

    /** Resident bytes per model, by identity (two copies of one id, one draining, are measured apart), and their sum. */
    private record Sample(long takenNanos, Map<ResidentModel, Long> bytes, long total) {
    }

    private final Executor background;
    private final long intervalNanos;
    private final AtomicBoolean measuring = new AtomicBoolean();
    private volatile Sample latest = new Sample(System.nanoTime(), Map.of(), 0);

    ResidencySampler(Executor background, long intervalNanos) {
        this.background = background;
        this.intervalNanos = intervalNanos;
    }

    /** The last measured figure for the model, else what its store reported when it was loaded. */
    long residentBytes(ResidentModel model) {
        Long measured = latest.bytes().get(model);
        return measured != null ? measured : model.residentAtLoad;
    }

    /** The sum at the last sample: O(1), as old as the interval. */
    long totalBytes() {
        return latest.total();
    }

    /** Asks for a new sample of these models when the last is older than the interval; returns at once. */
    void refreshIfStale(Collection<ResidentModel> models) {
        if (System.nanoTime() - latest.takenNanos() < intervalNanos || !measuring.compareAndSet(false, true)) {
            return;
        }
        try {
            background.execute(() -> measure(models));
        } catch (RejectedExecutionException closed) {
            measuring.set(false);
        }
    }

    private void measure(Collection<ResidentModel> models) {
        try {
            Map<ResidentModel, Long> bytes = new IdentityHashMap<>();
            long total = 0;
            for (ResidentModel m : models) {
                // The model's monitor keeps its region from being released while it is measured.
                synchronized (m) {
                    if (!m.released && m.region != null) {
                        long resident = m.region.residentBytes();
                        bytes.put(m, resident);
                        total += resident;
                    }
                }
            }
            latest = new Sample(System.nanoTime(), Collections.unmodifiableMap(bytes), total);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "measuring what is resident failed: " + e.getMessage(), e);
        } finally {
            measuring.set(false);
        }
    }
}
