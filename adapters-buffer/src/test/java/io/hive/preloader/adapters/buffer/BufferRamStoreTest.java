package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
