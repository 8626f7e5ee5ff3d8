package io.hive.preloader.linux;

import io.hive.preloader.core.model.ByteSize;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Fresh private memory straight from the kernel: an anonymous {@code mmap}, unmapped when its arena closes. Unlike
 * {@code Arena.allocate} nothing zero-fills it in Java first: the kernel hands out zeroed pages on first touch,
 * which is the writer's own copy, so the memory is written once instead of twice.
 */
public final class AnonymousMemory {
    private AnonymousMemory() {
    }

    /**
     * Maps {@code bytes} rounded up to whole pages (one page at least) at an address that is a multiple of
     * {@code alignment}, unmapped when {@code arena} closes; after that, any access throws
     * {@link IllegalStateException}.
     *
     * @param alignment a power of two: the page size, or for instance 2 MiB, without which no huge page fits
     * @param what      only for messages: what the memory is for
     */
    @SuppressWarnings("restricted") // reinterpret: the length is the one just mapped
    public static MemorySegment map(long bytes, long alignment, Arena arena, Object what) {
        if (Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        long length = roundUp(Math.max(bytes, 1), Libc.pageSize());
        String memory = ByteSize.format(length) + " of native memory for " + what;
        long start = alignment <= Libc.pageSize() ? Libc.mmapAnonymous(length, memory) : mapAligned(length, alignment, memory);
        return MemorySegment.ofAddress(start).reinterpret(length, arena, segment -> Libc.munmap(start, length, null));
    }

    /** Recent kernels align a large mapping by themselves; otherwise this maps {@code alignment} more and trims. */
    private static long mapAligned(long length, long alignment, String memory) {
        long start = Libc.mmapAnonymous(length, memory);
        if (start % alignment == 0) {
            return start;
        }
        Libc.munmap(start, length, memory);
        long padded = Libc.mmapAnonymous(length + alignment, memory);
        long aligned = roundUp(padded, alignment);
        if (aligned > padded) {
            Libc.munmap(padded, aligned - padded, memory);
        }
        long end = padded + length + alignment;
        if (end > aligned + length) {
            Libc.munmap(aligned + length, end - (aligned + length), memory);
        }
        return aligned;
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
