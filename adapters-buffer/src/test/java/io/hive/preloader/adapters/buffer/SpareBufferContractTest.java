package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.RamStoreContract;

import java.time.Duration;

/** The store contract with spare memory kept: a released model's bytes unreadable, the next one's exact. */
class SpareBufferContractTest extends RamStoreContract {
    @Override
    protected RamStore newStore() {
        return new BufferRamStore(false, 1L << 30, Duration.ofMinutes(1));
    }
}
