package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The faults with the hugepages store in /dev/shm, where every Linux machine has it. */
class SharedMemoryFaultTest extends StoreFaultContract {
    private Path shm;

    @BeforeEach
    void makeAFolderInDevShm() throws IOException {
        Path devShm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(devShm) && Files.isWritable(devShm), "/dev/shm is not a writable folder here");
        shm = Files.createTempDirectory(devShm, "preloader-fault-").toRealPath();
    }

    @AfterEach
    void leavesNoSharedFileBehind() throws IOException {
        if (shm != null) {
            try (var left = Files.list(shm)) {
                assertThat(left.toList()).as("shared files left in " + shm).isEmpty();
            }
            Files.delete(shm);
        }
    }

    @Override
    protected RamStore newStore() {
        return new HugePageRamStore(Optional.of(Path.of("/nonexistent-hugetlbfs")), shm);
    }

    /** This process's mappings of the store's shared files, whichever model they hold. */
    @Override
    protected long heldBytes(Path modelFile) {
        String prefix = shm + "/preloader-";
        return Smaps.mappings().stream().filter(m -> m.path().startsWith(prefix)).mapToLong(Smaps.Mapping::size).sum();
    }
}
