package io.hive.preloader.adapters.hugepages;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class KernelTest {
    @TempDir
    Path root;

    private Kernel with(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
        return new Kernel(root);
    }

    @Test
    void readsTheBracketedShmemChoice() throws IOException {
        assertThat(with("sys/kernel/mm/transparent_hugepage/shmem_enabled", "always within_size advise [never] deny force\n")
                .shmemEnabled()).contains("never");
        assertThat(new Kernel(root.resolve("none")).shmemEnabled()).isEmpty();
    }

    @Test
    void takesTheHugeOptionOfTheInnermostMountHoldingTheFolder() throws IOException {
        Kernel kernel = with("proc/self/mountinfo", """
                22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
                30 22 0:5 / /dev rw - devtmpfs udev rw,size=100k
                36 30 0:33 / /dev/shm rw,nosuid,nodev shared:6 - tmpfs tmpfs rw,size=1024k,huge=within_size
                37 22 0:34 / /srv/my\\040models rw - tmpfs tmpfs rw,huge=advise
                38 22 0:35 / /dev/shmx rw - tmpfs tmpfs rw,huge=always
                """);

        assertThat(kernel.tmpfsHugeOption(Path.of("/dev/shm"))).isEqualTo("within_size");
        assertThat(kernel.tmpfsHugeOption(Path.of("/dev/shm/sub/dir"))).isEqualTo("within_size");
        assertThat(kernel.tmpfsHugeOption(Path.of("/srv/my models/x"))).isEqualTo("advise");
        assertThat(kernel.tmpfsHugeOption(Path.of("/dev"))).isEqualTo("never");
        assertThat(kernel.tmpfsHugeOption(Path.of("/tmp"))).isEqualTo("never");
    }

    @Test
    void availableHugePagesAreTheFreeOnesNotYetPromisedToAMapping() throws IOException {
        with("sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "10\n");
        Kernel kernel = with("sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages", "3\n");

        assertThat(kernel.availableHugePages(2L << 20)).hasValue(7);
        assertThat(kernel.availableHugePages(1L << 30)).isEmpty();
    }
}
