package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;

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

    /** Every model file the source has, as it describes them (their headers not checked: see {@link #checkedCatalog()}). */
    List<ModelDescriptor> catalog();

    /**
     * Every model the sources know, each checked: valid, or invalid with the one-line error a load of it would be
     * refused with (a file that is not a whole, valid GGUF model; a model its source knows but cannot reach). A file
     * version's header is read once; later listings cost a look-up per model.
     */
    List<CatalogEntry> checkedCatalog();

    /** One model's entry of {@link #checkedCatalog()}; empty when no source knows it. */
    Optional<CatalogEntry> checked(ModelId id);

    /**
     * Starts making the model resident and returns at once. Concurrent preloads of one model share one load.
     * The future fails with {@link UnknownModelException}, {@link io.hive.preloader.core.model.InvalidModelException}
     * (its header is checked before any budget is reserved, its digest while it loads), a budget or a store error.
     */
    default CompletableFuture<Loaded> preload(ModelId id) {
        return preload(id, LoadProgress.NONE);
    }

    CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress);

    /** The fast path only: a lease when the current version of the model is resident, else empty (counted as a miss). */
    Optional<Lease> open(ModelId id);

    /** A lease on the model's bytes: from RAM when resident (fast path), else after loading it from disk (slow path). */
    Lease get(ModelId id);

    /**
     * Copies the model to a device through the configured sink, by the configured plan: {@link #transfer(ModelId,
     * int, TransferOptions)} with the default options, returning the device copy alone.
     */
    DeviceCopy transfer(ModelId id, int device);

    /**
     * Copies the model to a device by the plan core chooses (or the one the options name): a resident model whose
     * region the sink can pin goes direct, in one pass from that region, which stays registered while the model is
     * resident; otherwise it goes through the staging pipeline, from RAM, or straight from its file when it is not
     * resident. Without a pipeline a model that is not resident is loaded first. Progress is reported per chunk;
     * a cancelled or failed transfer leaves nothing allocated on the device.
     *
     * @throws io.hive.preloader.core.port.TransferCancelledException when cancelled or interrupted
     * @throws io.hive.preloader.core.transfer.ChecksumMismatchException when a checksum was asked for and the device copy differs
     */
    default Transfer transfer(ModelId id, int device, TransferOptions options) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not plan transfers");
    }

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

    /** Bytes charged to the budget now (resident, loading, evicted but leased, being freed): O(1), unlike {@link #stats}. */
    default long usedBytes() {
        return stats().cache().usedBytes();
    }

    /**
     * Of {@link #usedBytes}: bytes whose release is queued or under way, which the host gets back on its own (and
     * partly already sees as available while a store frees them). O(1).
     */
    default long freeingBytes() {
        return 0;
    }

    /** What kind of memory the store's models occupy; the memory guard counts page-cache models apart. */
    default RamStore.Memory memory() {
        return RamStore.Memory.PRIVATE;
    }

    /** Starts preloading the {@code count} models used most, by the counts kept in the access journal. */
    List<ModelId> autoPreload(int count);

    /**
     * Saves the access counts, then closes the staging pipeline, frees every model without open leases and closes the
     * sink, in that order (the pipeline's staging and the models are registered with the sink). Device copies made
     * by {@link #transfer} are the caller's: close them first.
     */
    @Override
    void close();
}
