package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.port.StoreException;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.chronicle.bytes.MappedFile;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.core.io.ReferenceOwner;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * A read-write shared mapping of a whole file, made by Chronicle Bytes. The page size is passed explicitly rather
 * than left to Chronicle's {@code PageUtil}, which scans the hugetlbfs mounts only once per JVM. Chronicle's
 * single-thread checks are off: a model is loaded on one thread and released on whichever closes its last lease.
 */
final class SharedMapping {
    private final MappedFile file;
    private final MappedBytesStore store;
    private final ReferenceOwner owner;
    private final long length;

    private SharedMapping(MappedFile file, MappedBytesStore store, ReferenceOwner owner, long length) {
        this.file = file;
        this.store = store;
        this.owner = owner;
        this.length = length;
    }

    /**
     * Maps {@code length} bytes of {@code path} (a multiple of {@code pageSize}), growing the file to that length.
     *
     * @throws StoreException naming the file when it cannot be mapped; on hugetlbfs that is where the kernel says it
     *                        has too few free huge pages to reserve for the mapping
     */
    static SharedMapping map(Path path, long length, long pageSize, Mode mode) {
        MappedFile file;
        try {
            file = MappedFile.of(path.toFile(), length, 0, Math.toIntExact(pageSize), false);
        } catch (IOException e) {
            throw new StoreException("cannot open the shared file " + path + ": " + e.getMessage(), e);
        }
        try {
            file.singleThreadedCheckDisabled(true);
            file.syncMode(SyncMode.NONE); // memory-backed: there is no disk to msync to
            ReferenceOwner owner = ReferenceOwner.temporary("hugepages " + path);
            MappedBytesStore store = file.acquireByteStore(owner, 0, null, ForegroundStore::new);
            store.singleThreadedCheckDisabled(true);
            return new SharedMapping(file, store, owner, length);
        } catch (IOException | RuntimeException e) {
            closeFile(file);
            String hint = mode == Mode.HUGETLBFS
                    ? " (the kernel could not reserve " + length / pageSize + " huge pages of " + ByteSize.format(pageSize)
                    + " for it: the pool is smaller than the budget)"
                    : "";
            throw new StoreException("cannot map the shared file " + path + " (" + ByteSize.format(length) + "): "
                    + describe(e) + hint, e);
        }
    }

    long address() {
        return store.addressForWrite(0);
    }

    /**
     * The mapping as a segment that is valid until {@code arena} closes. Closing the arena does not unmap: that is
     * {@link #unmap}'s job, once no reader can touch the segment any more.
     */
    @SuppressWarnings("restricted") // an address Chronicle mapped, of the length it mapped; native access is granted
    MemorySegment segment(Arena arena) {
        return MemorySegment.ofAddress(address()).reinterpret(length, arena, null);
    }

    /** Unmaps now, on this thread, and closes the file. */
    void unmap() {
        try {
            store.release(owner); // the last reference: the Unmapper runs here, see ForegroundStore
        } finally {
            closeFile(file);
        }
    }

    /**
     * Closes the descriptor here rather than on Chronicle's background releaser, so that the file's memory is free
     * (once it is also unlinked) when release returns.
     */
    private static void closeFile(MappedFile file) {
        try {
            file.raf().close();
        } catch (IOException | RuntimeException ignored) {
            // releaseLast closes it again, quietly
        }
        file.releaseLast();
    }

    /**
     * Chronicle unmaps native stores on its background releaser thread by default. Here the unmap must be done when
     * release returns: an eviction frees huge pages that the next load, admitted in their place, needs at once.
     */
    private static final class ForegroundStore extends MappedBytesStore {
        ForegroundStore(ReferenceOwner owner, MappedFile file, long start, long address, long capacity, long safeCapacity,
                        int pageSize) {
            super(owner, file, start, address, capacity, safeCapacity, pageSize);
        }

        @Override
        protected boolean canReleaseInBackground() {
            return false;
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == e ? message : e.getMessage() + ": " + message;
    }
}
