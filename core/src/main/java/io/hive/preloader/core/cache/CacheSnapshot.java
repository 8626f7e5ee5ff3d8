package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.util.List;

/** What the cache holds at one moment. */
public record CacheSnapshot(long budgetBytes, long usedBytes, long evictions, String store, String policy, List<Entry> entries) {
    public CacheSnapshot {
        entries = List.copyOf(entries);
    }

    public enum State {
        LOADING, RESIDENT, DRAINING
    }

    public record Entry(ModelId id, ModelDescriptor descriptor, long bytes, long residentBytes, State state, boolean pinned,
                        int leases, long loadNanos) {
    }

    public long residentBytes() {
        return entries.stream().mapToLong(Entry::residentBytes).sum();
    }
}
