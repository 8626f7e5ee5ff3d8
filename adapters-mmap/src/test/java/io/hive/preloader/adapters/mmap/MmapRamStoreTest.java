package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.NativeReader;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MmapRamStoreTest extends RamStoreContract {
    private static final int MIB = 1024 * 1024;

    @Override
    protected RamStore newStore() {
        return new MmapRamStore();
    }

    @Test
    void isNamedMmap() {
        assertThat(newStore().name()).isEqualTo("mmap");
    }

    @Test
    void dropTakesTheFileOutOfThePageCache() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(8 * MIB + 5, 10));
        ResidentRegion region = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);
        assertThat(PageCache.residentBytes(file)).isEqualTo(8 * MIB + 5);

        region.release(ResidentRegion.Release.DROP);

        assertThat(PageCache.residentBytes(file)).isZero();
    }

    @Test
    void retainingThePageCacheLeavesTheFileWarmForAWorker() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(8 * MIB + 5, 11));
        ResidentRegion region = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);

        region.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);

        assertThat(PageCache.residentBytes(file)).isEqualTo(8 * MIB + 5);
    }

    @ParameterizedTest
    @EnumSource(Warmer.Method.class)
    void aColdFileIsReadIntoThePageCacheAndIntoTheMapping(Warmer.Method method) {
        byte[] contents = ModelFiles.randomBytes(3 * Warmer.RANGE + 5, 17);
        Path file = CleanFiles.write(dir, "m.gguf", contents);
        PageCache.drop(file);

        ResidentRegion region = new MmapRamStore(false, method).load(ModelFiles.describe(file), LoadProgress.NONE);
        try {
            assertThat(PageCache.residentBytes(file)).isEqualTo(contents.length);
            assertThat(Smaps.holding(region.bytes().address()).orElseThrow().field("Rss")).as("pages mapped by the load")
                    .isEqualTo(roundUpToPage(contents.length));
            assertSameBytes(region.bytes(), contents);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void aFileAlreadyInThePageCacheCostsOnlyALookUp() {
        byte[] contents = ModelFiles.randomBytes(2 * Warmer.RANGE + 5, 18);
        Path file = CleanFiles.write(dir, "m.gguf", contents);
        CleanFiles.readThroughCache(file);

        ResidentRegion region = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);
        try {
            assertThat(region.residentBytes()).isEqualTo(contents.length);
            assertThat(Smaps.holding(region.bytes().address()).orElseThrow().field("Rss"))
                    .as("pages this load mapped: none, the page cache has them all").isZero();
            assertSameBytes(region.bytes(), contents);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    private static long roundUpToPage(long bytes) {
        long page = Libc.pageSize();
        return (bytes + page - 1) / page * page;
    }

    @Test
    void loadingWarmsAColdFile() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(4 * MIB, 12));
        PageCache.drop(file);
        assertThat(PageCache.residentBytes(file)).isZero();

        ResidentRegion region = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);
        try {
            assertThat(PageCache.residentBytes(file)).isEqualTo(4 * MIB);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void droppingAReplacedModelLeavesItsSuccessorCached() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(2 * MIB, 13));
        ResidentRegion old = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);
        ModelFiles.replace(file, ModelFiles.model(3 * MIB, 14));
        CleanFiles.readThroughCache(file);

        old.release(ResidentRegion.Release.DROP);

        assertThat(PageCache.residentBytes(file)).as("the new version's pages").isEqualTo(3 * MIB);
    }

    @ParameterizedTest
    @EnumSource(ResidentRegion.Release.class)
    void releaseUnmapsAndClosesTheFile(ResidentRegion.Release how) {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(MIB, 15));
        ResidentRegion region = newStore().load(ModelFiles.describe(file), LoadProgress.NONE);
        assertThat(CleanFiles.processStillReferences(file)).isTrue();

        region.release(how);

        assertThat(CleanFiles.processStillReferences(file)).isFalse();
        assertThat(region.residentBytes()).isZero();
    }

    @Test
    void aFailedLoadLeavesNothingMappedOrOpen() {
        Path file = CleanFiles.write(dir, "m.gguf", ModelFiles.model(MIB, 16));
        ModelDescriptor model = ModelFiles.describe(file);
        CleanFiles.write(dir, "m.gguf", ModelFiles.model(MIB / 2, 16));

        assertThatThrownBy(() -> newStore().load(model, LoadProgress.NONE))
                .hasMessageContaining("changed since it was looked up");

        assertThat(CleanFiles.processStillReferences(file)).isFalse();
    }

    @Test
    void loadsAnEmptyFile() {
        Path file = CleanFiles.write(dir, "empty.gguf", new byte[0]);
        List<Long> reported = new ArrayList<>();

        ResidentRegion region = newStore().load(ModelFiles.describe(file), (done, total) -> reported.add(done));

        assertThat(region.bytes().byteSize()).isZero();
        assertThat(region.residentBytes()).isZero();
        assertThat(reported).containsExactly(0L);
        region.release(ResidentRegion.Release.DROP);
    }

    @Test
    void aModelLargeEnoughForEveryWarmingThreadReportsProgressFromTheLoadingThreadOnly() throws IOException {
        long size = Warmer.THREADS * Warmer.RANGE + 4097;
        Path file = dir.resolve("large.gguf");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(size);
        }
        Thread loader = Thread.currentThread();
        List<Long> reported = new ArrayList<>();

        ResidentRegion region = newStore().load(ModelFiles.describe(file), (done, total) -> {
            assertThat(Thread.currentThread()).isSameAs(loader);
            assertThat(total).isEqualTo(size);
            reported.add(done);
        });
        try {
            assertThat(region.residentBytes()).isEqualTo(size);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }

        assertThat(reported).isSorted().last().isEqualTo(size);
    }

    @Test
    void aReleaseWhileAReaderIsInANativeCallFailsKeepsTheMappingAndCanBeDoneAgain() {
        byte[] contents = ModelFiles.randomBytes((int) NativeReader.AT_LEAST * 2, 52);
        Path file = CleanFiles.write(dir, "held.gguf", contents);
        ResidentRegion region = new MmapRamStore(true).load(ModelFiles.describe(file), LoadProgress.NONE);
        long address = region.bytes().address();

        try (NativeReader reader = NativeReader.holding(region.bytes())) {
            assertThatThrownBy(() -> region.release(ResidentRegion.Release.DROP)).isInstanceOf(IllegalStateException.class);

            assertThat(Smaps.holding(address)).as("still mapped").isPresent();
        }
        assertThat(region.bytes().asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOf(contents, 64));
        assertThat(region.residentBytes()).as("still answers, on a descriptor still open").isEqualTo(contents.length);

        region.release(ResidentRegion.Release.DROP);

        assertThat(Smaps.holding(address)).as("unmapped").isEmpty();
        assertThat(region.residentBytes()).isZero();
        assertThat(PageCache.residentBytes(file)).as("dropped from the page cache").isZero();
    }
}
