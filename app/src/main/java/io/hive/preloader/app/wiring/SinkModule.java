package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.buffer.HostMemoryVramSink;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.VramSink;

/** Binds the {@link VramSink}: {@code sink: host}, the host-memory stand-in for a device (the only sink so far). */
final class SinkModule extends AbstractModule {
    private final PreloaderConfig.Sink sink;

    private SinkModule(PreloaderConfig.Sink sink) {
        this.sink = sink;
    }

    static SinkModule of(PreloaderConfig config) {
        return new SinkModule(config.sink());
    }

    @Provides
    @Singleton
    VramSink sink() {
        return switch (sink) {
            case HOST -> new HostMemoryVramSink();
        };
    }
}
