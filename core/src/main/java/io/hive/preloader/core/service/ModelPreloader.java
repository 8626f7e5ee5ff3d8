package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.LoadProgress;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a hive calls: keep models resident in RAM under a byte budget, lease their bytes, move them to a device.
 * Build one with {@link #builder()}; it is safe for use by many threads at once.
 */
public interface ModelPreloader extends AutoCloseable {

    static PreloaderBuilder builder() {
        return new PreloaderBuilder();
    }

    /** Every model the source can serve. */
    List<ModelDescriptor> catalog();

    /**
     * Starts making the model resident and returns at once. Concurrent preloads of one model share one load.
     * The future fails with {@link UnknownModelException}, a budget or a store error.
     */
    default CompletableFuture<Loaded> preload(ModelId id) {
        return preload(id, LoadProgress.NONE);
    }

    CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress);

    /** The fast path only: a lease when the current version of the model is resident, else empty (counted as a miss). */
    Optional<Lease> open(ModelId id);

    /** A lease on the model's bytes: from RAM when resident (fast path), else after loading it from disk (slow path). */
    Lease get(ModelId id);

    /** Copies the model to a device through the configured sink, loading it first when it is not resident. */
    DeviceCopy transfer(ModelId id, int device);

    /**
     * Drops the model from RAM; its bytes are freed at once, or when its last lease closes.
     *
     * @return false when it was not resident
     */
    boolean evict(ModelId id);

    /** Keeps the model resident: it is never evicted until unpinned. Loads it when it is not resident. */
    CompletableFuture<Loaded> pin(ModelId id);

    void unpin(ModelId id);

    /** Changes the budget; lowering it evicts in the background until what is held fits. */
    void budget(ByteBudget budget);

    PreloaderStats stats();

    /** Starts preloading the {@code count} models used most, by the counts kept in the access journal. */
    List<ModelId> autoPreload(int count);

    /** Saves the access counts and frees every model without open leases. */
    @Override
    void close();
}
