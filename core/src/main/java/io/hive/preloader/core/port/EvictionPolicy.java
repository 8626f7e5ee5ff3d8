package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * Proposes which resident model to drop when admitting another would exceed the byte budget.
 * The cache calls every method while holding its admission lock, from whichever thread holds it, so implementations
 * need no synchronisation of their own; they must not block, since a hit may be the thread that drains uses.
 * The cache's predicate already excludes pinned models, models being loaded and models with open leases.
 */
public interface EvictionPolicy {

    String name();

    /** A model became resident: from now on it is a candidate until {@link #removed}. */
    void admitted(ModelId id, long bytes);

    /**
     * A use of a resident model. Uses are recorded on the hit path without a lock and handed over later, in batches
     * drained from a bounded buffer: after {@link #admitted} and before {@link #removed} of the same model, in the
     * order each thread made them, and every recorded use before the next {@link #victim} call. Under contention
     * some uses are dropped (a ranking needs the pattern of uses, not every one), never invented.
     */
    void accessed(ModelId id);

    /** A model left the cache (evicted, replaced, refused): it is no candidate any more. */
    void removed(ModelId id);

    /** The model to evict next among those the predicate accepts, or empty when none is acceptable. */
    Optional<ModelId> victim(Predicate<ModelId> evictable);
}
