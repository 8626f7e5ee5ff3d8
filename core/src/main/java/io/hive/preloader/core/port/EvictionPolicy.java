package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * Proposes which resident model to drop when admitting another would exceed the byte budget.
 * The cache calls every method while holding its lock, so implementations need no synchronisation of their own.
 * The cache's predicate already excludes pinned models, models being loaded and models with open leases.
 */
public interface EvictionPolicy {

    String name();

    void admitted(ModelId id, long bytes);

    void accessed(ModelId id);

    void removed(ModelId id);

    /** The model to evict next among those the predicate accepts, or empty when none is acceptable. */
    Optional<ModelId> victim(Predicate<ModelId> evictable);
}
