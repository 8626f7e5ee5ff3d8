package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelDescriptor;

/** Brings a model's bytes into RAM and holds them there. Implementations: mmap, buffer, hugepages. */
public interface RamStore {

    /** A short name for logs and stats, e.g. {@code mmap}. */
    String name();

    /**
     * Loads the model described. Blocks until every byte is resident or the load fails.
     *
     * @throws StoreException naming the file and what went wrong; nothing stays allocated after a failure
     */
    ResidentRegion load(ModelDescriptor model, LoadProgress progress);
}
