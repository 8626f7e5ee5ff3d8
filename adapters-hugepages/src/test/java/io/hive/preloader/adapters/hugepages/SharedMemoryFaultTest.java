package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

/** The faults with the hugepages store in /dev/shm, where every Linux machine has it. */
class SharedMemoryFaultTest extends StoreFaultContract {
    @RegisterExtension
    final DevShmFolder shm = new DevShmFolder("preloader-fault-");

    @Override
    protected RamStore newStore() {
        return shm.store();
    }

    /** This process's mappings of the store's shared files, whichever model they hold. */
    @Override
    protected long heldBytes(Path modelFile) {
        String prefix = shm.path() + "/preloader-";
        return Smaps.mappings().stream().filter(m -> m.path().startsWith(prefix)).mapToLong(Smaps.Mapping::size).sum();
    }
}
