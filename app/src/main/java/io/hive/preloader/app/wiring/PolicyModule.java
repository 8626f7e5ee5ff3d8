package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.caffeine.CaffeineEvictionPolicy;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.LfuPolicy;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.HostMemory;

/**
 * Binds the {@link EvictionPolicy}: {@code policy: caffeine} (the default, W-TinyLFU from adapters-caffeine, sized
 * to the budget), {@code policy: lru} or {@code policy: lfu} (both from core).
 */
final class PolicyModule extends AbstractModule {
    @Provides
    @Singleton
    EvictionPolicy policy(PreloaderConfig config, HostMemory hostMemory) {
        return of(config, hostMemory);
    }

    static EvictionPolicy of(PreloaderConfig config, HostMemory hostMemory) {
        return switch (config.policy()) {
            case LRU -> new LruPolicy();
            case LFU -> new LfuPolicy();
            // The budget as the preloader will size it: W-TinyLFU sizes its segments from it.
            case CAFFEINE -> new CaffeineEvictionPolicy(ByteBudget.parse(config.budget(), hostMemory.totalBytes()).bytes());
        };
    }
}
