package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.PreloaderLoadContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The concurrent load test with the hugepages store in /dev/shm, where every Linux machine has it. */
class SharedMemoryLoadTest extends PreloaderLoadContract {
    @RegisterExtension
    final DevShmFolder shm = new DevShmFolder("preloader-load-");

    @Override
    protected RamStore newStore() {
        return shm.store();
    }
}
