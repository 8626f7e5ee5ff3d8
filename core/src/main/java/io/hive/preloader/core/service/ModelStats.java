package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** One model's access statistics since start (accesses include the counts restored from the journal). */
public record ModelStats(
        ModelId id,
        long hits,
        long misses,
        long accesses,
        long evictions,
        Optional<Duration> lastLoadFromDisk,
        Optional<Duration> lastOpenFromCache,
        Optional<Instant> lastAccess) {
}
