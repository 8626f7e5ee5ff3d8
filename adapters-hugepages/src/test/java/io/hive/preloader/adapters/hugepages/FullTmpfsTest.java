package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A model that does not fit in the tmpfs: a clear error, before writing or while copying, never a SIGBUS. */
@ExtendWith(TestMounts.class)
class FullTmpfsTest {
    @TempDir
    Path dir;
    Path small;

    @BeforeEach
    void needsASmallTmpfs() {
        assumeTrue(TestMounts.smallTmpfs().isPresent(), () -> "no small tmpfs: " + TestMounts.smallTmpfsUnavailable());
        small = TestMounts.smallTmpfs().get();
    }

    @Test
    void refusesAModelLargerThanTheFreeSpaceBeforeWritingAnything() {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "big.gguf", ModelFiles.model(6L << 20, 80)));
        HugePageRamStore store = new HugePageRamStore(Optional.empty(), small);

        assertThatThrownBy(() -> store.load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot load big (6.0 MiB) into " + small + ": it needs 6.0 MiB and the file system has only");

        assertThat(SharedFileStoreContract.ourFiles(small)).isEmpty();
    }

    @Test
    void aTmpfsThatRunsOutDuringTheCopyFailsTheLoadInsteadOfCrashingTheProcess() {
        // As if another process filled the tmpfs between the check and the copy: the check is skipped here.
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "big.gguf", ModelFiles.model(6L << 20, 81)));
        HugePageRamStore store = new HugePageRamStore(Placement.choose(Optional.empty(), small), (m, bytes) -> { });

        assertThatThrownBy(() -> store.load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("copying " + model.path() + " into the shared file " + small)
                .hasMessageContaining("failed at byte " + TestMounts.SMALL_TMPFS_BYTES); // where the tmpfs ran out

        assertThat(SharedFileStoreContract.ourFiles(small)).isEmpty();
        assertThat(store.reservedBytes()).hasValue(0);
    }
}
