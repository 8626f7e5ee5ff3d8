package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.PreloaderLoadContract;

import java.time.Duration;

/**
 * The load suite with spare memory kept a minute rather than the default two seconds, so that memory handed from one
 * model to the next is the rule: evictions and loads of models of many sizes, each lease checked byte by byte against
 * its version, never a byte of the model before.
 */
class SpareBufferLoadTest extends PreloaderLoadContract {
    @Override
    protected RamStore newStore() {
        return new BufferRamStore(false, 1L << 30, Duration.ofMinutes(1));
    }
}
