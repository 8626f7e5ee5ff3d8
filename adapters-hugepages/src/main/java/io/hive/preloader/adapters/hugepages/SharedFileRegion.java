package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A model held in a shared file on hugetlbfs or tmpfs, mapped read-write by this process while it loads and exposed
 * read-only. A worker maps the same file ({@link #handoff}). Residency and release are synchronised so that
 * {@code mincore} never runs on an address being unmapped.
 *
 * <p>Release deletes the file, whichever {@link Release} mode: the file <em>is</em> the memory. Unlike a model
 * file's page cache, which stays warm for a worker and which the kernel may reclaim, a tmpfs or hugetlbfs file keeps
 * its pages until it is deleted, outside any budget once this process lets it go. A worker that mapped the file
 * already keeps its mapping: the pages are freed when it unmaps them too.
 */
final class SharedFileRegion implements ResidentRegion {
    // mincore needs one byte per base page: windows bound that vector however large the model is.
    private static final long WINDOW = 1L << 30;
    private static final long LOW_BITS = 0x0101010101010101L;

    private final Path file;
    private final Arena arena;
    private final MemorySegment bytes;
    private final Optional<SharedMapping> mapping;
    private final long reservedBytes;
    private final Consumer<SharedFileRegion> onRelease;
    private boolean released;

    SharedFileRegion(Path file, Arena arena, MemorySegment bytes, Optional<SharedMapping> mapping, long reservedBytes,
                     Consumer<SharedFileRegion> onRelease) {
        this.file = file;
        this.arena = arena;
        this.bytes = bytes.asReadOnly();
        this.mapping = mapping;
        this.reservedBytes = reservedBytes;
        this.onRelease = onRelease;
    }

    @Override
    public MemorySegment bytes() {
        return bytes;
    }

    /** The shared file a worker maps: the model's bytes from offset 0 (on hugetlbfs followed by zeros to a page). */
    @Override
    public Handoff handoff() {
        return new Handoff.SharedFile(file);
    }

    Path file() {
        return file;
    }

    /** What this model takes from RAM: its size rounded up to the store's page size. */
    long reservedBytes() {
        return reservedBytes;
    }

    /** Bytes of this model that the kernel backs with huge pages now, from {@code /proc/self/smaps}. */
    synchronized long hugePageBytes() {
        return released || mapping.isEmpty() ? 0 : Math.min(Smaps.hugePageBytes(mapping.get().address()), reservedBytes);
    }

    /** The model's bytes that are in RAM, by {@code mincore}: all of them unless tmpfs pages were swapped out. */
    @Override
    public synchronized long residentBytes() {
        if (released || bytes.byteSize() == 0) {
            return 0;
        }
        long size = bytes.byteSize();
        int page = Libc.pageSize();
        long resident = 0;
        boolean lastPageResident = false;
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment vector = scratch.allocate(WINDOW / page);
            for (long offset = 0; offset < size; offset += WINDOW) {
                MemorySegment window = bytes.asSlice(offset, Math.min(WINDOW, size - offset));
                MemorySegment pages = vector.asSlice(0, (window.byteSize() + page - 1) / page);
                Libc.mincore(window, pages, file);
                resident += residentPages(pages) * page;
                lastPageResident = (pages.get(JAVA_BYTE, pages.byteSize() - 1) & 1) != 0;
            }
        }
        long tail = size % page;
        return lastPageResident && tail != 0 ? resident - (page - tail) : resident;
    }

    @Override
    public synchronized void release(Release how) {
        if (released) {
            return;
        }
        released = true;
        try {
            arena.close(); // no reader can touch the bytes from here on
            mapping.ifPresent(SharedMapping::unmap);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new StoreException("cannot delete the shared file " + file + ", so its memory stays taken: " + e.getMessage(), e);
            } finally {
                onRelease.accept(this);
            }
        }
    }

    private static long residentPages(MemorySegment vector) {
        long count = 0;
        long whole = vector.byteSize() & ~7L;
        for (long i = 0; i < whole; i += Long.BYTES) {
            count += Long.bitCount(vector.get(JAVA_LONG_UNALIGNED, i) & LOW_BITS);
        }
        for (long i = whole; i < vector.byteSize(); i++) {
            count += vector.get(JAVA_BYTE, i) & 1;
        }
        return count;
    }
}
