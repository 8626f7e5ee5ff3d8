package io.hive.preloader.adapters.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cgroup v2 limit, read from fakes of /proc/self/cgroup and of the cgroup file system. */
class CgroupLimitTest {
    static final long MiB = 1024 * 1024;

    @TempDir
    Path dir;

    private Path procSelfCgroup(String text) throws IOException {
        return Files.writeString(dir.resolve("cgroup"), text);
    }

    private Path cgroup(String relative, String max, long current) throws IOException {
        Path d = Files.createDirectories(dir.resolve("fs").resolve(relative));
        Files.writeString(d.resolve("memory.max"), max + "\n");
        Files.writeString(d.resolve("memory.current"), current + "\n");
        return d;
    }

    private ProcMeminfo memory(Path procSelfCgroup) throws IOException {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal: 1048576 kB\nMemAvailable: 524288 kB\n");
        return new ProcMeminfo(meminfo, dir.resolve("no-psi"), procSelfCgroup, dir.resolve("fs"));
    }

    @Test
    void theRoomIsTheLimitLessWhatTheCgroupHolds() throws IOException {
        cgroup("system.slice/preloader.service", String.valueOf(8192 * MiB), 6000 * MiB);

        assertThat(memory(procSelfCgroup("0::/system.slice/preloader.service\n")).cgroupRoomBytes()).hasValue(2192 * MiB);
    }

    @Test
    void aTighterLimitAboveTheProcessesCgroupCounts() throws IOException {
        Files.createDirectories(dir.resolve("fs"));
        cgroup("kubepods", String.valueOf(4096 * MiB), 3900 * MiB);
        cgroup("kubepods/pod1", "max", 3900 * MiB);
        cgroup("kubepods/pod1/preloader", String.valueOf(16384 * MiB), 1000 * MiB);

        assertThat(memory(procSelfCgroup("0::/kubepods/pod1/preloader\n")).cgroupRoomBytes()).hasValue(196 * MiB);
    }

    @Test
    void noLimitAnywhereIsNoFigure() throws IOException {
        cgroup("user.slice", "max", 100 * MiB);

        assertThat(memory(procSelfCgroup("0::/user.slice\n")).cgroupRoomBytes()).isEmpty();
    }

    @Test
    void aContainersOwnRootCgroupIsReadToo() throws IOException {
        // Inside a cgroup namespace the process's cgroup is "/", the container's, and it carries the limit.
        cgroup("", String.valueOf(512 * MiB), 500 * MiB);

        assertThat(memory(procSelfCgroup("0::/\n")).cgroupRoomBytes()).hasValue(12 * MiB);
    }

    @Test
    void cgroupV1OnlyOrNoFileAtAllMeansNoFigure() throws IOException {
        assertThat(memory(procSelfCgroup("4:memory:/process_api/x\n1:cpu:/\n")).cgroupRoomBytes()).isEmpty();
        assertThat(memory(dir.resolve("absent")).cgroupRoomBytes()).isEmpty();
    }

    @Test
    void aCgroupOverItsLimitHasNoRoomRatherThanANegativeOne() throws IOException {
        cgroup("a", String.valueOf(100 * MiB), 120 * MiB);

        assertThat(memory(procSelfCgroup("0::/a\n")).cgroupRoomBytes()).hasValue(0);
    }

    @Test
    void aPathLeavingTheCgroupFileSystemIsIgnored() throws IOException {
        cgroup("a", String.valueOf(100 * MiB), 10 * MiB);

        assertThat(memory(procSelfCgroup("0::/../../etc\n")).cgroupRoomBytes()).isEmpty();
    }

    @Test
    void aLimitFileThatIsNotANumberIsAnErrorNamingIt() throws IOException {
        Path d = cgroup("a", "lots", 10 * MiB);

        assertThatThrownBy(() -> memory(procSelfCgroup("0::/a\n")).cgroupRoomBytes())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(d.resolve("memory.max") + " holds 'lots', not a number of bytes or 'max'");
    }
}
