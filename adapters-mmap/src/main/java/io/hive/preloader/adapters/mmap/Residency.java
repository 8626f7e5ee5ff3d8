package io.hive.preloader.adapters.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/** Counts the bytes of a file mapping that are in RAM, through {@code mincore} ({@code vmtouch -v}). */
final class Residency {
    // mincore needs one byte per page: windows bound that vector at 256 KiB however large the model is.
    private static final long WINDOW = 1L << 30;
    private static final long LOW_BITS = 0x0101010101010101L;

    private Residency() {
    }

    static long residentBytes(MemorySegment mapping, Path file) {
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
                Libc.mincore(window, pages, file);
                resident += residentPages(pages) * page;
                lastPageResident = (pages.get(JAVA_BYTE, pages.byteSize() - 1) & 1) != 0;
            }
        }
        // The file's last page is usually partial: count only the bytes of it that belong to the file.
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
