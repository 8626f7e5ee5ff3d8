package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.Residency;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A model held as a read-only shared mapping of its file. The pages belong to the page cache: a worker that maps
 * the same file shares them. Residency ({@code cachestat} on the descriptor, else {@code mincore} on the mapping) and
 * release are synchronised so that neither runs on a descriptor closed or an address unmapped meanwhile.
 */
final class MappedRegion implements ResidentRegion {
    private final Arena arena;
    private final MemorySegment mapping;
    private final OpenFile file;
    private final boolean locked;
    private boolean released;

    MappedRegion(Arena arena, MemorySegment mapping, OpenFile file, boolean locked) {
        this.arena = arena;
        this.mapping = mapping;
        this.file = file;
        this.locked = locked;
    }

    @Override
    public MemorySegment bytes() {
        return mapping;
    }

    @Override
    public Handoff handoff() {
        return new Handoff.PageCacheFile(file.path());
    }

    @Override
    public synchronized long residentBytes() {
        if (released) {
            return 0;
        }
        return Residency.cachedBytes(file.fd(), mapping.byteSize(), file.path()).orElseGet(() -> Residency.residentBytes(mapping, file.path()));
    }

    @Override
    public synchronized void release(Release how) {
        if (released) {
            return;
        }
        if (locked) {
            Libc.munlock(mapping, file.path());
        }
        if (how != Release.RETAIN_PAGE_CACHE) {
            // fadvise skips pages that are still mapped: take them out of this process's page tables first. A reader
            // still inside a native call faults them in again from the page cache: the mapping is of the file.
            Libc.madvise(mapping, Libc.Advice.MADV_DONTNEED, file.path());
        }
        // Throws while a reader is inside a native call on the bytes (a copy in flight): then nothing is closed, and
        // the release fails as it is, to be done again once the call is out (the cache keeps the bytes charged).
        arena.close();
        released = true;
        try (OpenFile f = file) {
            if (how != Release.RETAIN_PAGE_CACHE) {
                f.dropFromPageCache();
            }
        }
    }
}
