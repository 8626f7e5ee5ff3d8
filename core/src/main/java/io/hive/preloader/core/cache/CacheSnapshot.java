package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.util.List;

/**
 * What the cache holds at one moment: the budget, what is charged against it ({@code usedBytes}: resident,
 * loading, leased after eviction, being freed), and each model. While an admission waits for the models it evicted
 * to be freed, their bytes count as its own, so the entries may briefly add up to more than {@code usedBytes}.
 */
public record CacheSnapshot(long budgetBytes, long usedBytes, long evictions, String store, String policy, List<Entry> entries) {
    public CacheSnapshot {
        entries = List.copyOf(entries);
    }

    public enum State {
        LOADING, RESIDENT,
        /** Evicted, kept for its open leases, freed when the last one closes. */
        DRAINING,
        /** Evicted and being freed; its bytes stay charged until the store has let them go. */
        RELEASING,
        /** Its release failed: the store may still hold the bytes, so they stay charged. */
        RELEASE_FAILED
    }

    /**
     * @param residentBytes what was in RAM at the last residency sample (taken at most once a second, off the hit path)
     * @param workers       pids of the running workers whose leases hold this model
     */
    public record Entry(ModelId id, ModelDescriptor descriptor, long bytes, long residentBytes, State state, boolean pinned,
                        int leases, long loadNanos, List<Long> workers) {
        public Entry {
            workers = List.copyOf(workers);
        }
    }

    public long residentBytes() {
        return entries.stream().mapToLong(Entry::residentBytes).sum();
    }
}
