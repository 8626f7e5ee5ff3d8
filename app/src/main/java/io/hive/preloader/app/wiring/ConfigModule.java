package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import io.hive.preloader.app.config.PreloaderConfig;

/** Makes the validated config available to the other modules' providers. */
final class ConfigModule extends AbstractModule {
    private final PreloaderConfig config;

    ConfigModule(PreloaderConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(PreloaderConfig.class).toInstance(config);
    }
}
