package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.PreloaderLoadContract;

class BufferLoadTest extends PreloaderLoadContract {
    @Override
    protected RamStore newStore() {
        return new BufferRamStore();
    }
}
