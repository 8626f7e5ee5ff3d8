package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Residency;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The page cache's view of any file, for the CLI: {@code vmtouch -v} and {@code vmtouch -e}. */
public final class PageCache {
    private PageCache() {
    }

    /**
     * Bytes of the file in the page cache now. Mapping a file reads none of it, so asking does not change
     * the answer.
     *
     * @throws StoreException naming the file when it cannot be opened or mapped
     */
    public static long residentBytes(Path file) {
        try (OpenFile open = OpenFile.open(file); Arena arena = Arena.ofConfined()) {
            return Residency.residentBytes(open.map(OptionalLong.empty(), arena), file);
        }
    }

    /**
     * Drops the file's pages from the page cache, except pages some process has mapped or has not yet written back.
     *
     * @throws StoreException naming the file when it cannot be opened
     */
    public static void drop(Path file) {
        try (OpenFile open = OpenFile.open(file)) {
            open.dropFromPageCache();
        }
    }
}
