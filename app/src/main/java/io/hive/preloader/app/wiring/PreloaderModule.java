package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.transfer.PlanMode;

/** Builds the {@link ModelPreloader} through core's builder from the bound ports: Guice is one wiring of that builder. */
final class PreloaderModule extends AbstractModule {

    @Provides
    @Singleton
    ModelPreloader preloader(PreloaderConfig config, ModelSource source, RamStore store, EvictionPolicy policy,
                             HostMemory hostMemory, VramSink sink, AccessJournal journal, StagingPipeline pipeline) {
        return of(config, source, store, policy, hostMemory, sink, journal, pipeline);
    }

    static ModelPreloader of(PreloaderConfig config, ModelSource source, RamStore store, EvictionPolicy policy,
                             HostMemory hostMemory, VramSink sink, AccessJournal journal, StagingPipeline pipeline) {
        return ModelPreloader.builder()
                .source(source)
                .store(store)
                .policy(policy)
                .hostMemory(hostMemory)
                .budget(config.budget())
                .sink(sink)
                .pipeline(pipeline)
                .plan(PlanMode.valueOf(config.plan().name()))
                .chunkSize(config.chunkSize())
                .journal(journal)
                .build();
    }
}
