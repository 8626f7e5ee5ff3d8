package io.hive.preloader.adapters.buffer;

import io.hive.preloader.linux.AnonymousMemory;
import io.hive.preloader.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The memory a model's copy is written into: an anonymous mapping with an arena of its own, so that it can outlive the
 * model it held and take the next one ({@link SpareMemory}), and how much of it is backed by RAM (written once, so
 * that writing it again faults nothing). A model sees it through a view whose arena closes when the model is
 * released: the bytes of a released model can no longer be read, whatever the memory holds next.
 *
 * <p>The mapping is {@link #HEADROOM} larger than the copy asked for, address space only, so that a somewhat larger
 * model can reuse it; only what a copy writes is backed. Not thread-safe: one load or one release owns it at a time.
 */
final class CopyMemory {
    /** A mapping reaches an eighth past the copy it was made for. */
    static final int HEADROOM = 8;

    private final Arena arena;
    private final MemorySegment mapping;
    private final Path firstFor;
    private long backed;

    private CopyMemory(Arena arena, MemorySegment mapping, Path firstFor) {
        this.arena = arena;
        this.mapping = mapping;
        this.firstFor = firstFor;
    }

    /**
     * Maps fresh memory for a copy of {@code capacity} bytes, left out of core dumps ({@code MADV_DONTDUMP}: the file
     * holds the same bytes). With {@code hugePages} it is 2 MiB-aligned and advised {@code MADV_HUGEPAGE} before anything
     * touches it.
     */
    static CopyMemory map(long capacity, boolean hugePages, long hugePage, Path file) {
        long length = capacity + capacity / HEADROOM;
        Arena arena = Arena.ofShared();
        try {
            MemorySegment mapping = hugePages ? AnonymousMemory.map(roundUp(length, hugePage), hugePage, arena, file)
                    : AnonymousMemory.map(length, Libc.pageSize(), arena, file);
            Libc.madvise(mapping, Libc.Advice.MADV_DONTDUMP, file);
            if (hugePages) {
                Libc.adviseIfSupported(mapping, Libc.Advice.MADV_HUGEPAGE, file);
            }
            return new CopyMemory(arena, mapping, file);
        } catch (RuntimeException | Error e) {
            try {
                arena.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing); // the mapping's own failure says what went wrong
            }
            throw e;
        }
    }

    /** The whole mapping, for the load that writes it. */
    MemorySegment mapping() {
        return mapping;
    }

    long length() {
        return mapping.byteSize();
    }

    /** Bytes from the start that are backed by RAM: a multiple of the page. */
    long backed() {
        return backed;
    }

    /** The first {@code bytes} have been written. */
    void filled(long bytes) {
        backed = Math.max(backed, Math.min(length(), roundUp(bytes, Libc.pageSize())));
    }

    /** Gives the RAM behind everything from {@code bytes} on back to the kernel ({@code MADV_DONTNEED}); the mapping stays. */
    void trim(long bytes) {
        long from = roundUp(bytes, Libc.pageSize());
        if (from < backed) {
            Libc.madvise(mapping.asSlice(from, backed - from), Libc.Advice.MADV_DONTNEED, "spare memory of " + firstFor);
            backed = from;
        }
    }

    /** The first {@code size} bytes, read-only, valid until {@code view} closes (which leaves the memory mapped). */
    @SuppressWarnings("restricted") // the address and length are this mapping's own, which outlives the view
    MemorySegment view(long size, Arena view) {
        return MemorySegment.ofAddress(mapping.address()).reinterpret(size, view, null).asReadOnly();
    }

    /** Unmaps. Nothing may touch the memory afterwards; views of it must be closed already. */
    void unmap() {
        arena.close();
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
