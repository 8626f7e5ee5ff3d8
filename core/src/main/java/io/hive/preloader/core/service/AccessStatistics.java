package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Counts hits, misses, load times and accesses per model. Synchronised: updates are rare next to the loads they count. */
final class AccessStatistics {
    private final InstantSource clock;
    private final Map<ModelId, Counters> models = new HashMap<>();
    private long hits;
    private long misses;
    private long bytesLoadedFromDisk;
    private long transfers;
    private long bytesTransferred;

    private static final class Counters {
        long hits;
        long misses;
        long restoredAccesses;
        long evictions;
        Duration lastLoadFromDisk;
        Duration lastOpenFromCache;
        Instant lastAccess;

        long accesses() {
            return restoredAccesses + hits + misses;
        }
    }

    AccessStatistics(InstantSource clock, Map<ModelId, Long> restored) {
        this.clock = clock;
        restored.forEach((id, count) -> counters(id).restoredAccesses = count);
    }

    private Counters counters(ModelId id) {
        return models.computeIfAbsent(id, k -> new Counters());
    }

    synchronized void hit(ModelId id, long nanos) {
        hits++;
        Counters c = counters(id);
        c.hits++;
        c.lastOpenFromCache = Duration.ofNanos(nanos);
        c.lastAccess = clock.instant();
    }

    synchronized void miss(ModelId id) {
        misses++;
        Counters c = counters(id);
        c.misses++;
        c.lastAccess = clock.instant();
    }

    synchronized void loadedFromDisk(ModelId id, long bytes, long nanos) {
        bytesLoadedFromDisk += bytes;
        counters(id).lastLoadFromDisk = Duration.ofNanos(nanos);
    }

    synchronized void evicted(ModelId id) {
        counters(id).evictions++;
    }

    synchronized void transferred(long bytes) {
        transfers++;
        bytesTransferred += bytes;
    }

    synchronized Map<ModelId, Long> accessCounts() {
        Map<ModelId, Long> counts = new HashMap<>();
        models.forEach((id, c) -> counts.put(id, c.accesses()));
        return counts;
    }

    synchronized List<ModelStats> models() {
        return models.entrySet().stream()
                .map(e -> {
                    Counters c = e.getValue();
                    return new ModelStats(e.getKey(), c.hits, c.misses, c.accesses(), c.evictions,
                            Optional.ofNullable(c.lastLoadFromDisk), Optional.ofNullable(c.lastOpenFromCache),
                            Optional.ofNullable(c.lastAccess));
                })
                .sorted(java.util.Comparator.comparing(ModelStats::id))
                .toList();
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized long bytesLoadedFromDisk() {
        return bytesLoadedFromDisk;
    }

    synchronized long transfers() {
        return transfers;
    }

    synchronized long bytesTransferred() {
        return bytesTransferred;
    }
}
