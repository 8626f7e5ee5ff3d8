package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.buffer.BufferRamStore;
import io.hive.preloader.adapters.hugepages.HugePageRamStore;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.RamStore;

/**
 * Binds the {@link RamStore} the config names: {@code store: mmap} (with {@code mmap.lock}),
 * {@code store: buffer} (with {@code buffer.direct_io}) or {@code store: hugepages} (with {@code hugepages.mount}
 * and {@code hugepages.fallback}). Stores are made when first asked for, not at wiring time.
 */
final class StoreModule extends AbstractModule {

    @Provides
    @Singleton
    RamStore store(PreloaderConfig config) {
        return of(config);
    }

    static RamStore of(PreloaderConfig config) {
        return switch (config.store()) {
            case MMAP -> new MmapRamStore(config.mmap().lock());
            case BUFFER -> new BufferRamStore(config.buffer().directIo());
            case HUGEPAGES -> new HugePageRamStore(config.hugepages().mount(), config.hugepages().fallback());
        };
    }
}
