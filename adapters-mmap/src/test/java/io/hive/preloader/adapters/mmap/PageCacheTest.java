package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageCacheTest {
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void countsEveryByteOfAFileReadThroughTheCacheIncludingAPartialLastPage() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(3 * PAGE + 100, 30));
        CleanFiles.readThroughCache(file);

        assertThat(PageCache.residentBytes(file)).isEqualTo(3 * PAGE + 100);
    }

    @Test
    void dropEvictsACleanFile() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(2 * 1024 * 1024, 31));
        CleanFiles.readThroughCache(file);

        PageCache.drop(file);

        assertThat(PageCache.residentBytes(file)).isZero();
    }

    @Test
    void askingDoesNotReadTheFileIn() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(1024 * 1024, 32));
        PageCache.drop(file);

        PageCache.residentBytes(file);

        assertThat(PageCache.residentBytes(file)).isZero();
    }

    @Test
    void anEmptyFileHasNothingResidentAndNothingToDrop() {
        Path file = CleanFiles.write(dir, "empty.gguf", new byte[0]);

        PageCache.drop(file);

        assertThat(PageCache.residentBytes(file)).isZero();
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.gguf");

        assertThatThrownBy(() -> PageCache.residentBytes(missing)).isInstanceOf(StoreException.class).hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> PageCache.drop(missing)).isInstanceOf(StoreException.class).hasMessageContaining(missing.toString());
    }
}
