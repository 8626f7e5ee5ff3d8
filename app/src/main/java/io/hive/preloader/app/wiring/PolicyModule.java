package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Scopes;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.cache.LfuPolicy;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.port.EvictionPolicy;

/** Binds the {@link EvictionPolicy}: {@code policy: lru} or {@code policy: lfu}, both from core. */
final class PolicyModule extends AbstractModule {
    private final Class<? extends EvictionPolicy> policy;

    private PolicyModule(Class<? extends EvictionPolicy> policy) {
        this.policy = policy;
    }

    static PolicyModule of(PreloaderConfig config) {
        return new PolicyModule(switch (config.policy()) {
            case LRU -> LruPolicy.class;
            case LFU -> LfuPolicy.class;
        });
    }

    @Override
    protected void configure() {
        bind(EvictionPolicy.class).to(policy).in(Scopes.SINGLETON);
    }
}
