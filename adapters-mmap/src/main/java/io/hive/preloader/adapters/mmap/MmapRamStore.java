package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Keeps a model resident as a read-only mapping of its file, warmed like {@code vmtouch -t} and optionally locked
 * like {@code vmtouch -l} ({@link Warmer}: several ranges read at once, one {@code mincore} for a file already
 * cached). The bytes stay in the page cache, where a worker mapping the same file finds them.
 */
public final class MmapRamStore implements RamStore {
    private final boolean lock;
    private final Warmer.Method method;

    /** A store that maps and warms models but does not lock them. */
    public MmapRamStore() {
        this(false);
    }

    /**
     * @param lock also {@code mlock} each model, so the kernel cannot reclaim its pages under memory pressure;
     *             needs RLIMIT_MEMLOCK (ulimit -l) above the model sizes, or CAP_IPC_LOCK
     */
    public MmapRamStore(boolean lock) {
        this(lock, Warmer.Method.POPULATE);
    }

    /** @param method how pages are brought in: {@link Warmer.Method#TOUCH} as on a kernel without MADV_POPULATE_READ */
    MmapRamStore(boolean lock, Warmer.Method method) {
        this.lock = lock;
        this.method = method;
    }

    @Override
    public String name() {
        return "mmap";
    }

    /** The file's own pages, reclaimable, counted in MemAvailable; locked pages are not reclaimable, so they count apart. */
    @Override
    public Memory memory() {
        return lock ? Memory.PRIVATE : Memory.PAGE_CACHE;
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        return load(model, progress, ContentCheck.NONE);
    }

    /** Hashes the mapping behind the warmers, each range once it is in, on the check's own thread. */
    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        Path path = model.path();
        OpenFile file = OpenFile.open(path);
        Arena arena = Arena.ofShared();
        try {
            // The version opened must be the one described: a file replaced in between is retried by the preloader.
            ModelChangedException.requireSame(model, file.fingerprint());
            MemorySegment mapping = file.map(OptionalLong.of(model.size()), arena);
            try (ContentCheck.Hashing hashing = check.start(mapping)) {
                Warmer.warm(mapping, file.fd(), path, lock, method, progress, hashing);
                // Rewritten in place meanwhile (a rename leaves this inode as it was): what was read may be a mix.
                Fingerprint after = file.fingerprint();
                if (!after.equals(model.fingerprint())) {
                    throw new StoreException(path + " changed while it was loading (it is now " + after.size()
                            + " bytes, not " + model.size() + "); it was not loaded");
                }
                hashing.verify(); // closed before the arena, on any failure: nothing reads the mapping once it goes
            }
            return new MappedRegion(arena, mapping, file, lock);
        } catch (RuntimeException | Error failure) {
            // Closing the arena unmaps, which also undoes any partial lock.
            closeAfter(failure, arena, file);
            throw failure;
        }
    }

    private static void closeAfter(Throwable failure, AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
