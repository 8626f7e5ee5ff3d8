package io.hive.preloader.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * Counts the bytes of a file or a mapping that are in RAM ({@code vmtouch -v}): by {@code cachestat} where the kernel
 * answers it (one call per file), else by {@code mincore} (one byte per page, each page looked up).
 */
public final class Residency {
    // mincore needs one byte per page: windows bound that vector at 256 KiB however large the mapping is.
    private static final long WINDOW = 1L << 30;
    private static final long LOW_BITS = 0x0101010101010101L;

    private Residency() {
    }

    /**
     * Bytes of the open file's first {@code size} in the page cache, by {@code cachestat}; a last page partly past
     * {@code size} counts only for its part in it. Empty where the kernel will not say ({@link Libc#cachedPages}):
     * then only {@code mincore} is left, which for another user's file it may not write answers "all resident".
     */
    public static OptionalLong cachedBytes(int fd, long size, Object what) {
        if (size == 0) {
            return OptionalLong.of(0);
        }
        OptionalLong pages = Libc.cachedPages(fd, 0, size, what);
        if (pages.isEmpty()) {
            return pages;
        }
        long page = Libc.pageSize();
        long tail = size % page;
        long bytes = pages.getAsLong() * page;
        if (tail != 0 && Libc.cachedPages(fd, size - tail, tail, what).orElse(0) > 0) {
            bytes -= page - tail;
        }
        return OptionalLong.of(Math.min(bytes, size));
    }

    /**
     * The bytes of {@code mapping} in RAM; a last page that is partly past its end counts only for its part in it.
     * The caller makes sure the mapping is not unmapped meanwhile.
     */
    public static long residentBytes(MemorySegment mapping, Object what) {
        long size = mapping.byteSize();
        if (size == 0) {
            return 0;
        }
        int page = Libc.pageSize();
        long resident = 0;
        boolean lastPageResident = false;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vector = arena.allocate(WINDOW / page);
            for (long offset = 0; offset < size; offset += WINDOW) {
                MemorySegment window = mapping.asSlice(offset, Math.min(WINDOW, size - offset));
                MemorySegment pages = vector.asSlice(0, (window.byteSize() + page - 1) / page);
                Libc.mincore(window, pages, what);
                resident += residentPages(pages) * page;
                lastPageResident = (pages.get(JAVA_BYTE, pages.byteSize() - 1) & 1) != 0;
            }
        }
        long tail = size % page;
        return lastPageResident && tail != 0 ? resident - (page - tail) : resident;
    }

    /** Pages whose vector byte has bit 0 set; the other bits are reserved, so they are masked off. */
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
