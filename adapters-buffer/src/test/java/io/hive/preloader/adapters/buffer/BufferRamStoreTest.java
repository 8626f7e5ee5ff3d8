package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.NativeReader;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class BufferRamStoreTest extends RamStoreContract {

    @Override
    protected RamStore newStore() {
        return new BufferRamStore();
    }

    @Test
    void isNamedBuffer() {
        assertThat(newStore().name()).isEqualTo("buffer");
    }

    @Test
    void aReleaseWhileAReaderIsInANativeCallFailsFreesNothingAndCanBeDoneAgain() {
        byte[] contents = ModelFiles.randomBytes((int) NativeReader.AT_LEAST * 2, 51);
        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents)), LoadProgress.NONE);
        long address = region.bytes().address();

        try (NativeReader reader = NativeReader.holding(region.bytes())) {
            assertThatThrownBy(() -> region.release(ResidentRegion.Release.DROP)).isInstanceOf(IllegalStateException.class);

            assertThat(region.residentBytes()).as("still held").isEqualTo(contents.length);
            assertThat(Smaps.holding(address)).as("still mapped").isPresent();
        }
        assertThat(region.bytes().asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOf(contents, 64));

        region.release(ResidentRegion.Release.DROP);

        assertThat(region.residentBytes()).isZero();
        assertThat(Smaps.holding(address)).as("unmapped").isEmpty();
    }

    @Test
    void aFailedLoadUnmapsItsMemoryAndKeepsItsFailureWhenClosingTheViewFailsToo() {
        CopyMemory memory = CopyMemory.map(1 << 20, false, BufferRamStore.HUGE_PAGE, dir);
        long address = memory.mapping().address();
        Arena view = Arena.ofShared();
        view.close(); // closing it again throws
        StoreException failure = new StoreException("the load's own failure");

        BufferRamStore.freeAfter(failure, view, memory);

        assertThat(Smaps.holding(address)).as("unmapped").isEmpty();
        assertThat(failure.getSuppressed()).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void loadsAnEmptyFile() {
        List<Long> reported = new ArrayList<>();

        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "empty.gguf", new byte[0])),
                (done, total) -> reported.add(done));

        assertThat(region.bytes().byteSize()).isZero();
        assertThat(reported).containsExactly(0L);
        region.release(ResidentRegion.Release.DROP);
    }

    @Test
    void reportsProgressOncePerChunk() {
        int size = 2 * ChunkedReader.CHUNK + 5;
        List<Long> reported = new ArrayList<>();

        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "m.gguf", new byte[size])),
                (done, total) -> reported.add(done));
        region.release(ResidentRegion.Release.DROP);

        assertThat(reported).containsExactly(0L, (long) ChunkedReader.CHUNK, 2L * ChunkedReader.CHUNK, (long) size);
    }

    @Test
    void aReleasedRegionReportsNothingResidentAndReleasingAgainIsHarmless() {
        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "m.gguf", new byte[4096])), LoadProgress.NONE);

        region.release(ResidentRegion.Release.DROP);
        region.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);

        assertThat(region.residentBytes()).isZero();
    }

    @Test
    void loadsAFileLargerThanAHugePageAndNotAMultipleOfItOnOrdinaryPagesByDefault() {
        byte[] contents = ModelFiles.model(2 * BufferRamStore.HUGE_PAGE + 12_345, 8);

        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents)), LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            assertThat(Smaps.holding(region.bytes().address()).orElseThrow().flags()).as("VmFlags").contains("dd").doesNotContain("hg");
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void asksForHugePagesBeforeTheReadTouchesTheMemoryWhenTold() throws IOException {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeThat(Files.isReadable(thp)).as("a kernel with transparent huge pages").isTrue();
        byte[] contents = ModelFiles.model(2 * BufferRamStore.HUGE_PAGE + 12_345, 9);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));

        ResidentRegion region = new BufferRamStore(false, 2, true, 0, java.time.Duration.ZERO).load(model, LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            Smaps.Mapping mapping = Smaps.holding(region.bytes().address()).orElseThrow();
            assertThat(mapping.flags()).as("VmFlags: MADV_HUGEPAGE accepted, left out of core dumps").contains("hg", "dd");
            assertThat(region.bytes().address() % BufferRamStore.HUGE_PAGE).as("2 MiB-aligned, or no huge page fits").isZero();
            assertThat(mapping.end() - region.bytes().address()).as("whole huge pages").isGreaterThanOrEqualTo(3 * BufferRamStore.HUGE_PAGE);
            long huge = mapping.hugePageBytes();
            // Whether the kernel had a free 2 MiB block at fault time is its call; with THP off it never has.
            assertThat(huge % BufferRamStore.HUGE_PAGE).as("AnonHugePages in whole huge pages").isZero();
            assertThat(huge).isBetween(0L, mapping.size());
            if (Files.readString(thp).contains("[never]")) {
                assertThat(huge).isZero();
            }
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }
}
