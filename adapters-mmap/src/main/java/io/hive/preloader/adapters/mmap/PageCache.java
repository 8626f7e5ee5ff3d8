package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.StoreException;

import java.nio.file.Path;

/** The page cache's view of any file, for the CLI: {@code vmtouch -v} and {@code vmtouch -e}. */
public final class PageCache {
    private PageCache() {
    }

    /**
     * Bytes of the file in the page cache now; asking reads none of it ({@code cachestat}, or a mapping and
     * {@code mincore}).
     *
     * @throws StoreException naming the file when it cannot be opened or mapped
     */
    public static long residentBytes(Path file) {
        try (OpenFile open = OpenFile.open(file)) {
            return open.cachedBytes(open.fingerprint().size());
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
