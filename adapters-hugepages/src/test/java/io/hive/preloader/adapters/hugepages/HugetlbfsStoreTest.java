package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The store on a hugetlbfs mount that the test setup made (root only): the contract, and the huge page pool. */
class HugetlbfsStoreTest extends SharedFileStoreContract {
    private static final long HUGE = 2L << 20;

    @BeforeEach
    void needsHugetlbfs() {
        assumeTrue(TestMounts.hugetlbfs().isPresent(), () -> "hugetlbfs is not available: " + TestMounts.hugetlbfsUnavailable());
    }

    @Override
    Path sharedDir() {
        return TestMounts.hugetlbfs().orElse(dir);
    }

    @Override
    Mode expectedMode() {
        return Mode.HUGETLBFS;
    }

    @Override
    HugePageRamStore store() {
        return new HugePageRamStore(TestMounts.hugetlbfs(), dir);
    }

    @Test
    void takesHugePagesFromThePoolAndGivesThemBackOnRelease() {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.model(3 * MIB + 13, 50)));
        HugePageRamStore store = store();
        long before = TestMounts.freeHugePages();

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            assertThat(before - TestMounts.freeHugePages()).as("huge pages taken").isEqualTo(2);
            assertThat(store.reservedBytes()).hasValue(4L * MIB);
            assertThat(store.hugePageBytes()).as("backed by huge pages, per /proc/self/smaps").isEqualTo(4L * MIB);
            assertThat(store.placement().pageSize()).isEqualTo(HUGE);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
        assertThat(TestMounts.freeHugePages()).isEqualTo(before);
    }

    @Test
    void refusesAModelLargerThanTheFreeHugePagesBeforeWritingAnything() {
        long free = TestMounts.freeHugePages();
        long size = (free + 1) * HUGE - 5;
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "big.gguf", new byte[Math.toIntExact(size)]));
        HugePageRamStore store = store();

        assertThatThrownBy(() -> store.load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot load big")
                .hasMessageContaining("needs " + (free + 1) + " huge pages of 2.0 MiB and only " + free + " are free")
                .hasMessageContaining("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");

        assertThat(ourFiles(sharedDir())).isEmpty();
        assertThat(TestMounts.freeHugePages()).isEqualTo(free);
        assertThat(store.reservedBytes()).hasValue(0);
    }

    @Test
    void aMappingTheKernelCannotReserveHugePagesForIsAClearErrorNotACrash() {
        // What a load racing another for the last free pages meets after the check: the kernel refuses the mapping.
        long free = TestMounts.freeHugePages();
        Path file = sharedDir().resolve("preloader-" + ProcessHandle.current().pid() + "-race-0.gguf");

        try {
            assertThatThrownBy(() -> SharedMapping.map(file, (free + 1) * HUGE, HUGE, Mode.HUGETLBFS))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("cannot map the shared file " + file)
                    .hasMessageContaining("could not reserve " + (free + 1) + " huge pages");
        } finally {
            file.toFile().delete();
        }
        assertThat(TestMounts.freeHugePages()).isEqualTo(free);
    }

    @Test
    void fallsBackToTheFallbackFolderWhenTheMountHasNoHugetlbfs() {
        HugePageRamStore store = new HugePageRamStore(Optional.of(dir), dir);

        assertThat(store.mode()).isNotEqualTo(Mode.HUGETLBFS);
        assertThat(store.placement().reason()).contains(dir + " is not a hugetlbfs mount");
    }
}
