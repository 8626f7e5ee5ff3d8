package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.PreloaderLoadContract;

class MmapLoadTest extends PreloaderLoadContract {
    @Override
    protected RamStore newStore() {
        return new MmapRamStore();
    }
}
