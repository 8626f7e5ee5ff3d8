package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Residency;
import io.hive.preloader.linux.Smaps;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

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
    private final Path file;
    private final Arena arena;
    private final MemorySegment bytes;
    private final Optional<SharedMapping> mapping;
    private final long reservedBytes;
    private final Consumer<SharedFileRegion> onRelease;
    /** The steps of a release done so far; see {@link #release}. */
    private boolean readable = true;
    private boolean unmapped;
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
        return !readable || mapping.isEmpty() ? 0 : Math.min(Smaps.holding(mapping.get().address()).map(Smaps.Mapping::hugePageBytes).orElse(0L), reservedBytes);
    }

    /** The model's bytes that are in RAM, by {@code mincore}: all of them unless tmpfs pages were swapped out. */
    @Override
    public synchronized long residentBytes() {
        return readable ? Residency.residentBytes(bytes, file) : 0;
    }

    /**
     * Closes the arena, unmaps, deletes the file, and only then lowers the store's reservation: each step once the one
     * before it is done, because the file is the memory and the reservation says what is held. A step that fails
     * throws and leaves the rest undone, the region to be released again (the cache keeps its bytes charged
     * meanwhile): the arena cannot close while a reader is inside a native call on the bytes (a copy in flight), and
     * unmapping under it, or counting its pages as free, would be wrong.
     */
    @Override
    public synchronized void release(Release how) {
        if (released) {
            return;
        }
        if (readable) {
            arena.close(); // no reader can touch the bytes from here on
            readable = false;
        }
        if (mapping.isPresent() && !unmapped) {
            mapping.get().unmap();
            unmapped = true;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StoreException("cannot delete the shared file " + file + ", so its memory stays taken: " + e.getMessage(), e);
        }
        released = true;
        onRelease.accept(this);
    }
}
