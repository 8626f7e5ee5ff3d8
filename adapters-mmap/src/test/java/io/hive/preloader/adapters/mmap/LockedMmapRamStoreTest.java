package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;
import io.hive.preloader.linux.Libc;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assumptions.assumeThat;

/** The whole contract again with every model locked, which exercises munlock on both release paths. */
class LockedMmapRamStoreTest extends RamStoreContract {
    private static final long CONTRACT_NEEDS = 64L << 20;
    private static final long CAP_IPC_LOCK = 1L << 14;

    @BeforeAll
    static void lockingTheContractsModelsIsAllowed() throws IOException {
        boolean enough = Libc.memlockLimit().orElse(Long.MAX_VALUE) >= CONTRACT_NEEDS || (effectiveCapabilities() & CAP_IPC_LOCK) != 0;
        assumeThat(enough).as("locking the contract's models needs RLIMIT_MEMLOCK of 64 MiB (ulimit -l is "
                + Libc.memlockLimit() + " bytes) or CAP_IPC_LOCK").isTrue();
    }

    @Override
    protected RamStore newStore() {
        return new MmapRamStore(true);
    }

    private static long effectiveCapabilities() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("CapEff:"))
                .map(line -> line.substring("CapEff:".length()).trim())
                .mapToLong(hex -> Long.parseUnsignedLong(hex, 16))
                .findFirst()
                .orElse(0);
    }
}
