package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;
import io.hive.preloader.linux.Smaps;

import org.junit.jupiter.api.AfterEach;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class BufferFaultTest extends StoreFaultContract {
    private final List<BufferRamStore> stores = new ArrayList<>();

    @Override
    protected RamStore newStore() {
        BufferRamStore store = new BufferRamStore();
        stores.add(store);
        return store;
    }

    /** Memory a test's store keeps for a load (for 2 s) must not be reaped while the next test counts mappings. */
    @AfterEach
    void giveBackWhatTheStoresKeep() {
        stores.forEach(store -> store.giveBackSpare(Long.MAX_VALUE));
    }

    /** The store's copies: anonymous mappings it advised MADV_DONTDUMP ({@code dd}), which nothing else here maps. */
    @Override
    protected long heldBytes(Path modelFile) {
        return Smaps.mappings().stream().filter(m -> m.path().isEmpty() && m.flags().contains("dd")).mapToLong(Smaps.Mapping::size).sum();
    }
}
