package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

/** {@code mlock} for real: a small model locks; one over RLIMIT_MEMLOCK is refused with a message saying so. */
class MmapLockTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void aLockedModelCountsAsLockedMemoryUntilReleased() throws IOException {
        Path file = CleanFiles.write(dir, "small.gguf", ModelFiles.model(4 * MIB, 20));
        long before = lockedKib();

        ResidentRegion region = new MmapRamStore(true).load(ModelFiles.describe(file), LoadProgress.NONE);
        long whileHeld = lockedKib();
        region.release(ResidentRegion.Release.DROP);

        assertThat(whileHeld - before).as("VmLck growth in KiB").isGreaterThanOrEqualTo(4 * 1024);
        assertThat(lockedKib()).isEqualTo(before);
    }

    @Test
    void aModelOverTheMemlockLimitIsRefusedNamingTheLimitAndLeavesNothingBehind() throws Exception {
        OptionalLong limit = Libc.memlockLimit();
        assumeThat(limit).as("RLIMIT_MEMLOCK is unlimited here, so no model is over it").isPresent();
        assumeThat(limit.getAsLong()).as("RLIMIT_MEMLOCK is too large to exceed in a test").isLessThanOrEqualTo(256L * MIB);
        Path file = CleanFiles.write(dir, "big.gguf", new byte[Math.toIntExact(limit.getAsLong() + MIB)]);
        ModelDescriptor model = ModelFiles.describe(file);

        Throwable refusal = ThreadWithoutIpcLock.call(() -> catchThrowable(() -> new MmapRamStore(true).load(model, LoadProgress.NONE)));

        assertThat(refusal).isInstanceOf(StoreException.class)
                .hasMessageContaining("mlock of " + file)
                .hasMessageContaining("RLIMIT_MEMLOCK is ")
                .hasMessageContaining("ulimit -l");
        assertThat(CleanFiles.processStillReferences(file)).isFalse();
    }

    @Test
    void withoutTheLockOptionTheMemlockLimitDoesNotMatter() throws Exception {
        OptionalLong limit = Libc.memlockLimit();
        long size = Math.min(limit.orElse(64L * MIB), 256L * MIB) + MIB;
        Path file = CleanFiles.write(dir, "big.gguf", new byte[Math.toIntExact(size)]);
        ModelDescriptor model = ModelFiles.describe(file);

        ResidentRegion region = ThreadWithoutIpcLock.call(() -> new MmapRamStore(false).load(model, LoadProgress.NONE));
        try {
            assertThat(region.residentBytes()).isEqualTo(size);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    private static long lockedKib() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("VmLck:"))
                .map(line -> line.replaceAll("\\D", ""))
                .mapToLong(Long::parseLong)
                .findFirst()
                .orElseThrow();
    }
}
