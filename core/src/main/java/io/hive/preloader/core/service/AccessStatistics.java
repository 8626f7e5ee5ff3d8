package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts hits, misses, load times and accesses per model. Without a lock: a hit adds to striped counters and writes
 * two plain numbers, allocating nothing once its model has been seen; readers add the counters up, so a figure read
 * during updates may be a few counts behind, never torn.
 */
final class AccessStatistics {
    private static final long NEVER = Long.MIN_VALUE;

    private final InstantSource clock;
    private final Map<ModelId, Counters> models = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bytesLoadedFromDisk = new LongAdder();
    private final LongAdder transfers = new LongAdder();
    private final LongAdder bytesTransferred = new LongAdder();

    private static final class Counters {
        final LongAdder hits = new LongAdder();
        final LongAdder misses = new LongAdder();
        final LongAdder evictions = new LongAdder();
        volatile long restoredAccesses;
        volatile long lastLoadFromDiskNanos = NEVER;
        volatile long lastOpenFromCacheNanos = NEVER;
        volatile long lastAccessMillis = NEVER;

        long accesses() {
            return restoredAccesses + hits.sum() + misses.sum();
        }
    }

    AccessStatistics(InstantSource clock, Map<ModelId, Long> restored) {
        this.clock = clock;
        restored.forEach((id, count) -> counters(id).restoredAccesses = count);
    }

    private Counters counters(ModelId id) {
        Counters c = models.get(id);
        return c != null ? c : models.computeIfAbsent(id, k -> new Counters());
    }

    void hit(ModelId id, long nanos) {
        hits.increment();
        Counters c = counters(id);
        c.hits.increment();
        c.lastOpenFromCacheNanos = nanos;
        c.lastAccessMillis = clock.millis();
    }

    void miss(ModelId id) {
        misses.increment();
        Counters c = counters(id);
        c.misses.increment();
        c.lastAccessMillis = clock.millis();
    }

    void loadedFromDisk(ModelId id, long bytes, long nanos) {
        bytesLoadedFromDisk.add(bytes);
        counters(id).lastLoadFromDiskNanos = nanos;
    }

    void evicted(ModelId id) {
        counters(id).evictions.increment();
    }

    void transferred(long bytes) {
        transfers.increment();
        bytesTransferred.add(bytes);
    }

    Map<ModelId, Long> accessCounts() {
        Map<ModelId, Long> counts = new HashMap<>();
        models.forEach((id, c) -> counts.put(id, c.accesses()));
        return counts;
    }

    List<ModelStats> models() {
        return models.entrySet().stream()
                .map(e -> {
                    Counters c = e.getValue();
                    return new ModelStats(e.getKey(), c.hits.sum(), c.misses.sum(), c.accesses(), c.evictions.sum(),
                            duration(c.lastLoadFromDiskNanos), duration(c.lastOpenFromCacheNanos),
                            c.lastAccessMillis == NEVER ? Optional.empty() : Optional.of(Instant.ofEpochMilli(c.lastAccessMillis)));
                })
                .sorted(Comparator.comparing(ModelStats::id))
                .toList();
    }

    private static Optional<Duration> duration(long nanos) {
        return nanos == NEVER ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }

    long bytesLoadedFromDisk() {
        return bytesLoadedFromDisk.sum();
    }

    long transfers() {
        return transfers.sum();
    }

    long bytesTransferred() {
        return bytesTransferred.sum();
    }
}
