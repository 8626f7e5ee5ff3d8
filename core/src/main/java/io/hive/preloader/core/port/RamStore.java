package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelDescriptor;

import java.util.OptionalLong;

/** Brings a model's bytes into RAM and holds them there. Implementations: mmap, buffer, hugepages. */
public interface RamStore {

    /** A short name for logs and stats, e.g. {@code mmap}. */
    String name();

    /** What kind of memory a resident model occupies, as the kernel counts it. */
    enum Memory {
        /** Memory of this process (or a shared-memory file): not reclaimable, outside {@code MemAvailable}. */
        PRIVATE,
        /** The file's own pages in the page cache, which {@code MemAvailable} counts as reclaimable. */
        PAGE_CACHE
    }

    /** What kind of memory this store's models occupy; the memory guard counts them by it. */
    default Memory memory() {
        return Memory.PRIVATE;
    }

    /**
     * Bytes of RAM the models resident here take, for a store that holds more than their sizes: one that keeps whole
     * pages rounds each model up to them (a hugetlbfs file is whole 2 MiB pages), which the budget, counting model
     * bytes, does not see. Empty by default: a store whose models take their own size.
     */
    default OptionalLong reservedBytes() {
        return OptionalLong.empty();
    }

    /**
     * Loads the model described. Blocks until every byte is resident or the load fails.
     *
     * @throws StoreException naming the file and what went wrong; nothing stays allocated after a failure
     */
    ResidentRegion load(ModelDescriptor model, LoadProgress progress);

    /**
     * Loads the model and checks its bytes as they come in ({@link ContentCheck}): the stores of this project hash
     * beside their reads. This default, for a store that does not, hashes the whole region after {@link #load}, a
     * second pass over RAM.
     *
     * @throws io.hive.preloader.core.model.InvalidModelException when the bytes fail the check; they were freed
     * @throws StoreException naming the file and what went wrong; nothing stays allocated after a failure
     */
    default ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        ResidentRegion region = load(model, progress);
        if (!check.hashes()) {
            return region;
        }
        try (ContentCheck.Hashing hashing = check.start(region.bytes())) {
            hashing.filled(0, region.bytes().byteSize());
            hashing.verify();
            return region;
        } catch (RuntimeException | Error failure) {
            try {
                region.release(ResidentRegion.Release.DROP);
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }
}
