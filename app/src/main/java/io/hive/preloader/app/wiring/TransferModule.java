package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.disruptor.DisruptorTransferPipeline;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.StagingPipeline;

/**
 * Binds the {@link StagingPipeline}: the Disruptor ring with {@code chunk_size} slots and {@code readers} reader
 * stages, made when first asked for. The plan and the direct chunk go to core's builder in {@link PreloaderModule}.
 */
final class TransferModule extends AbstractModule {
    @Provides
    @Singleton
    StagingPipeline pipeline(PreloaderConfig config) {
        return of(config);
    }

    static StagingPipeline of(PreloaderConfig config) {
        return new DisruptorTransferPipeline(config.chunkSize(), config.readers());
    }
}
