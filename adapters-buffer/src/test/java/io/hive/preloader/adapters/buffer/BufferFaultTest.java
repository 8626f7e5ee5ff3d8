package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;
import io.hive.preloader.linux.Smaps;

import java.nio.file.Path;

class BufferFaultTest extends StoreFaultContract {
    @Override
    protected RamStore newStore() {
        return new BufferRamStore();
    }

    /** The store's copies: anonymous mappings it advised MADV_DONTDUMP ({@code dd}), which nothing else here maps. */
    @Override
    protected long heldBytes(Path modelFile) {
        return Smaps.mappings().stream().filter(m -> m.path().isEmpty() && m.flags().contains("dd")).mapToLong(Smaps.Mapping::size).sum();
    }
}
