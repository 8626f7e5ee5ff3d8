package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The store on a tmpfs mounted with huge=advise (the test setup mounts one where it is root): transparent huge pages. */
class TransparentHugePageStoreTest extends SharedFileStoreContract {

    @BeforeEach
    void needsATmpfsWithHugeAdvise() {
        assumeTrue(TestMounts.thpTmpfs().isPresent(), () -> "no tmpfs with huge=advise: " + TestMounts.thpUnavailable());
    }

    @Override
    Path sharedDir() {
        return TestMounts.thpTmpfs().orElse(dir);
    }

    @Override
    Mode expectedMode() {
        return Mode.TRANSPARENT_HUGE_PAGES;
    }

    @Override
    HugePageRamStore store() {
        return new HugePageRamStore(Optional.empty(), sharedDir());
    }

    @Test
    void theKernelReallyBacksTheModelWithHugePages() throws IOException {
        String enabled = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        assumeFalse(enabled.contains("[never]"), "transparent huge pages are disabled on this machine: " + enabled.strip());
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.model(8 * MIB, 60)));
        HugePageRamStore store = store();

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            assertThat(store.hugePageBytes()).as("bytes mapped with transparent huge pages, per /proc/self/smaps").isPositive();
            assertThat(SharedMemoryStoreTest.kernelGivesHugePages(sharedDir())).as("the probe SharedMemoryStoreTest expects by").isTrue();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }
}
