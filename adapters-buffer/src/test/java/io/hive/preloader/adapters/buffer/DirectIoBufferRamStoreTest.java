package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The contract with O_DIRECT reads, where the temporary folder's filesystem supports them. */
class DirectIoBufferRamStoreTest extends RamStoreContract {

    @BeforeEach
    void theTemporaryFolderSupportsDirectIo() throws IOException {
        ModelDescriptor probe = ModelFiles.describe(ModelFiles.write(dir, "probe.gguf", new byte[1]));
        Throwable refused = catchThrowable(() -> newStore().load(probe, LoadProgress.NONE).release(ResidentRegion.Release.DROP));
        assumeThat(refused).as("the filesystem of " + dir + " (" + Files.getFileStore(dir).type()
                + ") refuses O_DIRECT, so direct reads cannot be tested there").isNull();
        Files.delete(probe.path());
    }

    @Override
    protected RamStore newStore() {
        return new BufferRamStore(true);
    }

    @Test
    void readsBypassThePageCacheButStillReturnExactlyTheFilesBytes() {
        byte[] contents = ModelFiles.model(3 * 4096 + 17, 40);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));

        ResidentRegion region = newStore().load(model, LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            assertThat(region.bytes().address() % 4096).as("an aligned buffer, as O_DIRECT needs").isZero();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void aFilesystemThatRefusesDirectIoIsNamedAsTheCause() {
        // procfs refuses O_DIRECT on every kernel; tmpfs accepts it since Linux 6.6.
        Path procFile = Path.of("/proc/self/status");
        assumeThat(Files.isReadable(procFile)).as("needs /proc").isTrue();
        ModelDescriptor model = ModelFiles.describe(procFile);

        assertThatThrownBy(() -> newStore().load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(procFile.toString())
                .hasMessageContaining("refuses O_DIRECT");
    }
}
