package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.linux.StatFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which pages the store picks, given what statfs and the kernel's files say: a decision table. */
class PlacementTest {
    private static final long HUGE = 2L << 20;
    private static final StatFs HUGETLBFS = new StatFs(StatFs.HUGETLBFS_MAGIC, HUGE, 0, 0);
    private static final StatFs TMPFS = new StatFs(StatFs.TMPFS_MAGIC, 4096, 1000, 1000);
    private static final StatFs EXT4 = new StatFs(0xEF53, 4096, 1000, 1000);

    @TempDir
    Path root;
    @TempDir
    Path mount;
    @TempDir
    Path shm;

    private Kernel kernel(String shmemEnabled, String shmMountOptions, long poolPages) throws IOException {
        write("sys/kernel/mm/transparent_hugepage/shmem_enabled", shmemEnabled);
        write("proc/self/mountinfo", "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                + "36 22 0:33 / " + shm + " rw,nosuid - tmpfs tmpfs " + shmMountOptions + "\n");
        write("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", poolPages + "\n");
        return new Kernel(root);
    }

    private void write(String file, String text) throws IOException {
        Path path = root.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }

    private Function<Path, StatFs> statfs(Map<Path, StatFs> byDir) {
        return dir -> byDir.getOrDefault(dir, EXT4);
    }

    private Placement choose(Kernel kernel, Map<Path, StatFs> fs) {
        return Placement.choose(Optional.of(mount), shm, kernel, statfs(fs), 4096);
    }

    @Test
    void aMountedHugetlbfsWithAPoolWins() throws IOException {
        Placement p = choose(kernel("always within_size advise [never] deny force", "rw", 64), Map.of(mount, HUGETLBFS, shm, TMPFS));

        assertThat(p.mode()).isEqualTo(Mode.HUGETLBFS);
        assertThat(p.directory()).isEqualTo(mount);
        assertThat(p.pageSize()).isEqualTo(HUGE);
        assertThat(p.tmpfs()).isFalse();
        assertThat(p.reason()).isEqualTo("hugetlbfs at " + mount + ", pages of 2.0 MiB, 64 in the pool");
    }

    @Test
    void aFolderThatIsNotHugetlbfsFallsBackAndSaysHowToMountIt() throws IOException {
        Placement p = choose(kernel("[never]", "rw", 64), Map.of(shm, TMPFS));

        assertThat(p.mode()).isEqualTo(Mode.PLAIN_PAGES);
        assertThat(p.directory()).isEqualTo(shm);
        assertThat(p.reason()).startsWith(mount + " is not a hugetlbfs mount (mount it with: mount -t hugetlbfs none " + mount + "); ");
    }

    @Test
    void aMissingMountFallsBack() throws IOException {
        Path missing = mount.resolve("absent");
        Placement p = Placement.choose(Optional.of(missing), shm, kernel("[never]", "rw", 64), statfs(Map.of(shm, TMPFS)), 4096);

        assertThat(p.reason()).startsWith("no hugetlbfs at " + missing + " (no such directory); ");
    }

    @Test
    void hugetlbfsWithAnEmptyPoolFallsBackRatherThanFailEveryLoad() throws IOException {
        Placement p = choose(kernel("[never]", "rw", 0), Map.of(mount, HUGETLBFS, shm, TMPFS));

        assertThat(p.mode()).isEqualTo(Mode.PLAIN_PAGES);
        assertThat(p.reason()).startsWith("hugetlbfs at " + mount + " has no huge pages of 2.0 MiB in the pool"
                + " (/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages is 0)");
    }

    @ParameterizedTest(name = "shmem_enabled={0}, /dev/shm mounted {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            always within_size advise [never] deny force | rw,size=100k               | PLAIN_PAGES            | huge=never
            always within_size advise [never] deny force | rw,size=100k,huge=advise   | TRANSPARENT_HUGE_PAGES | huge=advise
            always within_size advise [never] deny force | rw,huge=within_size        | TRANSPARENT_HUGE_PAGES | huge=within_size
            always within_size advise [never] deny force | rw,huge=always             | TRANSPARENT_HUGE_PAGES | huge=always
            always within_size [advise] never deny force | rw                         | PLAIN_PAGES            | huge=never
            always within_size advise never deny [force] | rw                         | TRANSPARENT_HUGE_PAGES | huge=always
            always within_size advise never [deny] force | rw,huge=advise             | PLAIN_PAGES            | huge=never
            """)
    void tmpfsGetsTransparentHugePagesOnlyWhereTheKernelGivesThemToIt(String shmemEnabled, String options, Mode mode,
                                                                      String setting) throws IOException {
        Placement p = Placement.choose(Optional.empty(), shm, kernel(shmemEnabled.strip(), options.strip(), 0),
                statfs(Map.of(shm, TMPFS)), 4096);

        assertThat(p.mode()).isEqualTo(mode);
        assertThat(p.tmpfs()).isTrue();
        assertThat(p.pageSize()).isEqualTo(4096);
        assertThat(p.reason()).startsWith("tmpfs at " + shm + " has " + setting).contains("madvise(MADV_HUGEPAGE)");
    }

    @Test
    void aFallbackOnADiskFileSystemGetsPlainPagesAndNoMadvise() throws IOException {
        Placement p = Placement.choose(Optional.empty(), shm, kernel("[advise]", "rw", 0), statfs(Map.of()), 4096);

        assertThat(p.mode()).isEqualTo(Mode.PLAIN_PAGES);
        assertThat(p.tmpfs()).isFalse();
        assertThat(p.reason()).contains("is not tmpfs");
    }

    @Test
    void aMissingFallbackFolderIsRefusedNamingIt() throws IOException {
        Kernel kernel = kernel("[never]", "rw", 0);
        Path missing = shm.resolve("absent");

        assertThatThrownBy(() -> Placement.choose(Optional.empty(), missing, kernel, statfs(Map.of()), 4096))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hugepages fallback folder " + missing + " is not a directory");
    }

    @Test
    void roundsUpToWholePages() {
        Placement huge = new Placement(Mode.HUGETLBFS, mount, HUGE, false, "");

        assertThat(huge.roundUp(0)).isZero();
        assertThat(huge.roundUp(1)).isEqualTo(HUGE);
        assertThat(huge.roundUp(HUGE)).isEqualTo(HUGE);
        assertThat(huge.roundUp(HUGE + 1)).isEqualTo(2 * HUGE);
        assertThat(huge.roundUp(40L << 30)).isEqualTo(40L << 30);
    }
}
