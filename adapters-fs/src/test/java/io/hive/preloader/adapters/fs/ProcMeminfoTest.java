package io.hive.preloader.adapters.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcMeminfoTest {
    private static final String SAMPLE = """
            MemTotal:       131891276 kB
            MemFree:         2001000 kB
            MemAvailable:   98765432 kB
            Buffers:          123456 kB
            HugePages_Total:       0
            Hugepagesize:       2048 kB
            """;

    @TempDir
    Path dir;

    private Path meminfo(String text) throws IOException {
        return Files.writeString(dir.resolve("meminfo"), text);
    }

    @Test
    void readsTotalAndAvailableInKibibytesAsBytes() throws IOException {
        ProcMeminfo memory = new ProcMeminfo(meminfo(SAMPLE));

        assertThat(memory.totalBytes()).isEqualTo(131891276L * 1024);
        assertThat(memory.availableBytes()).isEqualTo(98765432L * 1024);
    }

    @Test
    void readsTheFileAfreshOnEveryCall() throws IOException {
        Path file = meminfo(SAMPLE);
        ProcMeminfo memory = new ProcMeminfo(file);
        assertThat(memory.availableBytes()).isEqualTo(98765432L * 1024);

        Files.writeString(file, SAMPLE.replace("98765432", "1000"));

        assertThat(memory.availableBytes()).isEqualTo(1000L * 1024);
    }

    @Test
    void aMissingKeyIsAnErrorNamingTheFileAndTheKey() throws IOException {
        Path file = meminfo("MemTotal: 1024 kB\nMemFree: 512 kB\n");
        ProcMeminfo memory = new ProcMeminfo(file);

        assertThatThrownBy(memory::availableBytes)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("MemAvailable");
    }

    @Test
    void aKeyIsMatchedWholeNotByPrefix() throws IOException {
        ProcMeminfo memory = new ProcMeminfo(meminfo("MemTotalish: 5 kB\n"));

        assertThatThrownBy(memory::totalBytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("MemTotal");
    }

    @Test
    void anUnreadableValueIsAnErrorQuotingIt() throws IOException {
        ProcMeminfo memory = new ProcMeminfo(meminfo("MemTotal: lots kB\nMemAvailable: -4 kB\n"));

        assertThatThrownBy(memory::totalBytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("'lots kB'");
        assertThatThrownBy(memory::availableBytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("'-4 kB'");
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("no-such-meminfo");

        assertThatThrownBy(() -> new ProcMeminfo(missing).totalBytes())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void readsThisHostsProcMeminfo() {
        assumeTrue(Files.isReadable(Path.of("/proc/meminfo")), "no /proc/meminfo: not Linux");
        ProcMeminfo memory = new ProcMeminfo();

        long total = memory.totalBytes();
        assertThat(total).as("total RAM").isGreaterThan(64L << 20).isEqualTo(total / 1024 * 1024);
        assertThat(memory.availableBytes()).as("available RAM").isPositive().isLessThanOrEqualTo(total);
    }

    @Test
    void readsTheShareOfTimeTasksStalledOnMemory() throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), "MemTotal: 1024 kB\nMemAvailable: 512 kB\n");
        Path psi = Files.writeString(dir.resolve("memory"),
                "some avg10=12.50 avg60=3.00 avg300=1.00 total=123\nfull avg10=2.00 avg60=0.00 avg300=0.00 total=45\n");

        assertThat(new ProcMeminfo(meminfo, psi).stallPercent()).hasValue(12.5);
        assertThat(new ProcMeminfo(meminfo, dir.resolve("no-psi")).stallPercent()).as("a kernel without PSI").isEmpty();
    }

    @Test
    void readsThisHostsPressureWhereTheKernelHasIt() {
        assumeTrue(Files.isReadable(Path.of("/proc/pressure/memory")), "no /proc/pressure/memory on this kernel");
        assertThat(new ProcMeminfo().stallPercent()).isPresent();
        assertThat(new ProcMeminfo().stallPercent().getAsDouble()).isBetween(0.0, 100.0);
    }
}
