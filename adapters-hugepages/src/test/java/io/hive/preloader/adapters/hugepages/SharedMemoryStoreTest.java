package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store where there is no hugetlbfs: files in /dev/shm, transparent huge pages asked for with madvise. Runs on
 * every Linux machine, root or not; the mode it expects is the one this machine's /dev/shm allows, and a test checks
 * that the store does not claim huge pages the kernel does not give.
 */
class SharedMemoryStoreTest extends SharedFileStoreContract {
    private static final Path SHM = Path.of("/dev/shm");
    private static final Path NO_HUGETLBFS = Path.of("/nonexistent-hugetlbfs");
    private static Path shm;

    @BeforeAll
    static void makeAFolderInDevShm() throws IOException {
        assumeTrue(Files.isDirectory(SHM) && Files.isWritable(SHM), "/dev/shm is not a writable folder here");
        shm = Files.createTempDirectory(SHM, "preloader-test-");
    }

    @AfterAll
    static void removeIt() throws IOException {
        if (shm != null) {
            Files.delete(shm);
        }
    }

    @Override
    Path sharedDir() {
        return shm;
    }

    @Override
    Mode expectedMode() {
        // What the kernel promises tmpfs here: shmem_enabled=force, or huge= on the /dev/shm mount.
        Kernel kernel = Kernel.LIVE;
        String shmem = kernel.shmemEnabled().orElse("");
        String huge = shmem.equals("force") ? "always" : shmem.equals("deny") ? "never" : kernel.tmpfsHugeOption(shm);
        return huge.equals("never") || huge.equals("deny") ? Mode.PLAIN_PAGES : Mode.TRANSPARENT_HUGE_PAGES;
    }

    @Override
    HugePageRamStore store() {
        return new HugePageRamStore(Optional.of(NO_HUGETLBFS), shm);
    }

    @Test
    void saysWhyItIsNotOnHugetlbfs() {
        HugePageRamStore store = store();

        assertThat(store.placement().reason())
                .startsWith("no hugetlbfs at " + NO_HUGETLBFS + " (no such directory); tmpfs at " + shm + " has huge=")
                .contains("MADV_HUGEPAGE");
        assertThat(store.placement().tmpfs()).isTrue();
    }

    @Test
    void plainPagesMeanNoHugePagesAtAllDespiteTheRequest() {
        HugePageRamStore store = store();
        assumeTrue(store.mode() == Mode.PLAIN_PAGES, "/dev/shm grants transparent huge pages here");
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.randomBytes(8 * MIB, 70)));

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            assertThat(store.hugePageBytes()).as("the kernel gave what the mode says: no huge pages").isZero();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }
}
