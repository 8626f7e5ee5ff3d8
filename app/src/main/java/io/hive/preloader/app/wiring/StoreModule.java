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
abstract sealed class StoreModule extends AbstractModule {

    static StoreModule of(PreloaderConfig config) {
        return switch (config.store()) {
            case MMAP -> new Mmap(config.mmap().lock());
            case BUFFER -> new Buffer(config.buffer().directIo());
            case HUGEPAGES -> new HugePages(config.hugepages());
        };
    }

    static final class HugePages extends StoreModule {
        private final PreloaderConfig.HugePages folders;

        HugePages(PreloaderConfig.HugePages folders) {
            this.folders = folders;
        }

        @Provides
        @Singleton
        RamStore store() {
            return new HugePageRamStore(folders.mount(), folders.fallback());
        }
    }

    static final class Mmap extends StoreModule {
        private final boolean lock;

        Mmap(boolean lock) {
            this.lock = lock;
        }

        @Provides
        @Singleton
        RamStore store() {
            return new MmapRamStore(lock);
        }
    }

    static final class Buffer extends StoreModule {
        private final boolean directIo;

        Buffer(boolean directIo) {
            this.directIo = directIo;
        }

        @Provides
        @Singleton
        RamStore store() {
            return new BufferRamStore(directIo);
        }
    }
}
