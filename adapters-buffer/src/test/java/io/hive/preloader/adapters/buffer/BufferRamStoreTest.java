package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.model.ModelDescriptor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
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

        assertThat(reported).containsExactly((long) ChunkedReader.CHUNK, 2L * ChunkedReader.CHUNK, (long) size);
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
        byte[] contents = ModelFiles.randomBytes(2 * AnonymousMemory.HUGE_PAGE + 12_345, 8);

        ResidentRegion region = newStore().load(ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents)), LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            assertThat(((NativeRegion) region).hugePagesRequested()).isFalse();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void asksForHugePagesBeforeTheReadTouchesTheMemoryWhenTold() throws IOException {
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        assumeThat(Files.isReadable(thp)).as("a kernel with transparent huge pages").isTrue();
        byte[] contents = ModelFiles.randomBytes(2 * AnonymousMemory.HUGE_PAGE + 12_345, 9);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));

        ResidentRegion region = new BufferRamStore(false, 2, true).load(model, LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            assertThat(((NativeRegion) region).hugePagesRequested()).as("MADV_HUGEPAGE accepted").isTrue();
            assertThat(region.bytes().address() % AnonymousMemory.HUGE_PAGE).as("2 MiB-aligned, or no huge page fits").isZero();
            long huge = AnonymousMemory.hugePageBytes(region.bytes());
            assertThat(huge).as("the mapping's AnonHugePages in /proc/self/smaps").isNotNegative();
            // Whether the kernel had a free 2 MiB block at fault time is its call; with THP off it never has.
            if (Files.readString(thp).contains("[never]")) {
                assertThat(huge).isZero();
            }
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }
}
