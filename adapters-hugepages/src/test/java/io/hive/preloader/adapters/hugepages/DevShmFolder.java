package io.hive.preloader.adapters.hugepages;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A fresh folder in /dev/shm for each test, where every Linux machine has tmpfs, and a check after it that the store
 * left no shared file behind; the folder goes with the test. Skips the test where /dev/shm is not writable.
 */
final class DevShmFolder implements BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private Path folder;

    DevShmFolder(String prefix) {
        this.prefix = prefix;
    }

    /** The folder, by its real path, as the kernel names the files mapped from it. */
    Path path() {
        return folder;
    }

    /** A hugepages store in this folder, refused hugetlbfs. */
    HugePageRamStore store() {
        return new HugePageRamStore(Optional.of(Path.of("/nonexistent-hugetlbfs")), folder);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        Path devShm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(devShm) && Files.isWritable(devShm), "/dev/shm is not a writable folder here");
        folder = Files.createTempDirectory(devShm, prefix).toRealPath();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        if (folder != null) {
            try (Stream<Path> left = Files.list(folder)) {
                assertThat(left.toList()).as("shared files left in " + folder).isEmpty();
            }
            Files.delete(folder);
        }
    }
}
