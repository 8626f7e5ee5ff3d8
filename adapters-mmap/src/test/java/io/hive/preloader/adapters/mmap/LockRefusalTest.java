package io.hive.preloader.adapters.mmap;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class LockRefusalTest {
    private static final Path FILE = Path.of("/x/model.gguf");
    private static final long GIB = 1L << 30;

    @Test
    void aRefusalOverTheLimitNamesTheFileTheErrnoAndTheLimit() {
        String message = new LockRefusal(FILE, GIB, 12, OptionalLong.of(8L << 20)).message();

        assertThat(message).startsWith("mlock of /x/model.gguf (1.0 GiB) failed: ENOMEM (12) — RLIMIT_MEMLOCK is 8.0 MiB; raise it with ulimit -l")
                .endsWith("or drop the lock option");
    }

    @Test
    void aZeroLimitIsStatedForEperm() {
        assertThat(new LockRefusal(FILE, GIB, 1, OptionalLong.of(0)).message())
                .contains("EPERM (1) — RLIMIT_MEMLOCK is 0 B");
    }

    @Test
    void anUnlimitedLimitPointsAtTheHostsMemoryInstead() {
        assertThat(new LockRefusal(FILE, GIB, 12, OptionalLong.empty()).message())
                .contains("RLIMIT_MEMLOCK is unlimited")
                .contains("free memory or drop the lock option");
    }

    @Test
    void anErrorUnrelatedToTheLimitGetsNoAdviceAboutIt() {
        assertThat(new LockRefusal(FILE, GIB, 22, OptionalLong.of(8L << 20)).message())
                .isEqualTo("mlock of /x/model.gguf (1.0 GiB) failed: EINVAL (22)");
    }
}
