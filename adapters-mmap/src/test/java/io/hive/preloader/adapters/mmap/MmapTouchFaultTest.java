package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.RamStore;

/** The fault suite again on the fallback of a kernel without MADV_POPULATE_READ: pages touched one by one. */
class MmapTouchFaultTest extends MmapFaultTest {
    @Override
    protected RamStore newStore() {
        return new MmapRamStore(false, Warmer.Method.TOUCH);
    }
}
