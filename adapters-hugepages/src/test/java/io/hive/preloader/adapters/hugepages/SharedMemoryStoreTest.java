package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store where there is no hugetlbfs: files in /dev/shm, transparent huge pages asked for with madvise. Runs on
 * every Linux machine, root or not; the mode it expects is what the kernel really gives a probe file in /dev/shm (not
 * a second reading of the settings the store reads), and a test checks that the store does not claim huge pages the
 * kernel does not give.
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
        return kernelGivesHugePages(shm) ? Mode.TRANSPARENT_HUGE_PAGES : Mode.PLAIN_PAGES;
    }

    /** Asks the kernel: a 4 MiB file in {@code dir}, mapped, advised MADV_HUGEPAGE and written; any huge page in smaps? */
    static boolean kernelGivesHugePages(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, "probe-", ".bin");
            try (Arena arena = Arena.ofConfined();
                 FileChannel channel = FileChannel.open(probe, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, 4L * MIB, arena);
                Libc.adviseIfSupported(mapping, Libc.Advice.MADV_HUGEPAGE, probe);
                mapping.fill((byte) 1);
                return Smaps.holding(mapping.address()).orElseThrow().field("ShmemPmdMapped") > 0;
            } finally {
                Files.delete(probe);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.model(8 * MIB, 70)));

        ResidentRegion region = store.load(model, LoadProgress.NONE);
        try {
            assertThat(store.hugePageBytes()).as("the kernel gave what the mode says: no huge pages").isZero();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }
}
