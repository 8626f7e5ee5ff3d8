package io.hive.preloader.adapters.http;

import io.hive.preloader.core.service.PreloaderStats;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last minutes of the preloader, for the page's charts: a bounded ring of points, oldest first, one per sample.
 * A point holds the levels at its sample (resident, used, budget) and the rates over the interval since the sample
 * before, from the counters' deltas: the hit rate of the accesses in that interval, and the GB/s of the loads and
 * transfers that ended in it (their bytes over their own time, as the activity table shows each one).
 */
final class StatsHistory {
    private final Point[] ring;
    // Guarded by this: one sampler thread writes every few seconds, requests copy; neither does slow work inside.
    private int next;
    private int size;
    private Sample previous;

    /** The counters and levels read at one moment. */
    record Sample(Instant at, long hits, long misses, long residentBytes, long usedBytes, long budgetBytes, Moved loadedFromDisk,
                  Moved transferred) {
        static Sample of(Instant at, PreloaderStats stats, Moved loadedFromDisk, Moved transferred) {
            return new Sample(at, stats.hits(), stats.misses(), stats.cache().residentBytes(), stats.cache().usedBytes(),
                    stats.cache().budgetBytes(), loadedFromDisk, transferred);
        }
    }

    /**
     * One sample and the interval that ended with it.
     *
     * @param seconds                    the interval's length (0 for the first sample, which has none)
     * @param hits                       accesses served from RAM in the interval; {@code misses} the others
     * @param hitRate                    hits over accesses in the interval; null when there was none
     * @param loadedBytes                bytes of the loads from disk that ended in the interval
     * @param loadGigabytesPerSecond     those bytes over the loads' own time; null when none ended
     * @param transferGigabytesPerSecond the same for the copies to devices
     */
    record Point(String at, double seconds, long hits, long misses, Double hitRate, long residentBytes, long usedBytes, long budgetBytes,
                 long loadedBytes, Double loadGigabytesPerSecond, long transferredBytes, Double transferGigabytesPerSecond) {
    }

    StatsHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a history keeps at least one point, not " + capacity);
        }
        this.ring = new Point[capacity];
    }

    int capacity() {
        return ring.length;
    }

    synchronized void record(Sample sample) {
        ring[next] = point(previous == null ? sample : previous, sample);
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
        previous = sample;
    }

    /** Oldest first. */
    synchronized List<Point> points() {
        List<Point> points = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            points.add(ring[(next - size + i + ring.length) % ring.length]);
        }
        return points;
    }

    /** The first sample is its own "before": no interval, nothing counted in it, its levels only. */
    private static Point point(Sample before, Sample now) {
        long hits = increase(before.hits(), now.hits());
        long misses = increase(before.misses(), now.misses());
        Moved loaded = now.loadedFromDisk().since(before.loadedFromDisk());
        Moved transferred = now.transferred().since(before.transferred());
        return new Point(now.at().toString(), Units.seconds(Duration.between(before.at(), now.at())), hits, misses,
                hits + misses == 0 ? null : hits / (double) (hits + misses), now.residentBytes(), now.usedBytes(), now.budgetBytes(),
                loaded.bytes(), loaded.gigabytesPerSecond(), transferred.bytes(), transferred.gigabytesPerSecond());
    }

    /** A counter's increase; one that went down started again (a reset, as Prometheus treats one) and counted {@code now} since. */
    private static long increase(long before, long now) {
        return now >= before ? now - before : now;
    }
}
