package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Least frequently used first, ties broken by least recent use. Counts survive eviction, so a model used often
 * in the past is kept over a one-off when it comes back.
 */
public final class LfuPolicy implements EvictionPolicy {
    private final Map<ModelId, Long> frequency = new HashMap<>();
    private final Map<ModelId, Long> lastUse = new HashMap<>();
    private long clock;

    @Override
    public String name() {
        return "lfu";
    }

    @Override
    public void admitted(ModelId id, long bytes) {
        accessed(id);
    }

    @Override
    public void accessed(ModelId id) {
        frequency.merge(id, 1L, Long::sum);
        lastUse.put(id, ++clock);
    }

    @Override
    public void removed(ModelId id) {
        lastUse.remove(id);
    }

    @Override
    public Optional<ModelId> victim(Predicate<ModelId> evictable) {
        return lastUse.keySet().stream()
                .filter(evictable)
                .min(Comparator.<ModelId>comparingLong(id -> frequency.getOrDefault(id, 0L)).thenComparingLong(lastUse::get));
    }
}
