package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelId;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A snapshot of the whole preloader: the cache's contents and the access statistics.
 *
 * @param storeReservedBytes RAM the store's resident models take where that is more than their sizes (their sizes
 *                           rounded up to whole pages: {@link io.hive.preloader.core.port.RamStore#reservedBytes})
 * @param replacing          the models whose file was replaced on disk and whose new version is being checked or
 *                           loaded: the cache's entries for them may be of either version
 */
public record PreloaderStats(
        CacheSnapshot cache,
        OptionalLong storeReservedBytes,
        long hits,
        long misses,
        long bytesLoadedFromDisk,
        long transfers,
        long bytesTransferred,
        List<ModelStats> models,
        Set<ModelId> replacing) {

    public PreloaderStats {
        models = List.copyOf(models);
        replacing = Set.copyOf(replacing);
    }

    public double hitRate() {
        long total = hits + misses;
        return total == 0 ? 0 : hits / (double) total;
    }

    /** Models by accesses, most first. */
    public List<ModelStats> mostAccessed(int limit) {
        return models.stream()
                .sorted(java.util.Comparator.comparingLong(ModelStats::accesses).reversed().thenComparing(ModelStats::id))
                .limit(limit)
                .toList();
    }
}
