package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.fs.CombinedModelSource;
import io.hive.preloader.adapters.fs.FileAccessJournal;
import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.fs.ProcMeminfo;
import io.hive.preloader.adapters.fs.StoreModelSource;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.ModelSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Binds what comes from the filesystem: the models folders and aliases, the Ollama and Hugging Face stores, the access
 * journal, the host's RAM size. The sources and the journal are also made without an injector ({@link #sources},
 * {@link #journalOf}), for the commands that need nothing else.
 */
final class SourceModule extends AbstractModule {

    /** The models folders (with the aliases), then the Ollama stores, then the hub caches: an id is the first one's. */
    static ModelSource sources(PreloaderConfig config) {
        List<ModelSource> sources = new ArrayList<>();
        if (!config.models().isEmpty()) {
            sources.add(new FolderModelSource(config.models(), config.aliasFiles(), config.aliasDigests()));
        }
        config.ollama().forEach(folder -> sources.add(StoreModelSource.ollama(folder)));
        config.huggingface().forEach(folder -> sources.add(StoreModelSource.huggingFace(folder)));
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no models folder and no store: give models, ollama or huggingface a folder");
        }
        return sources.size() == 1 ? sources.getFirst() : new CombinedModelSource(sources);
    }

    static AccessJournal journalOf(PreloaderConfig config) {
        return config.journalFile().<AccessJournal>map(FileAccessJournal::new).orElse(AccessJournal.NONE);
    }

    @Provides
    @Singleton
    ModelSource source(PreloaderConfig config) {
        return sources(config);
    }

    @Provides
    @Singleton
    AccessJournal journal(PreloaderConfig config) {
        return journalOf(config);
    }

    @Provides
    @Singleton
    HostMemory hostMemory() {
        return host();
    }

    static HostMemory host() {
        return new ProcMeminfo();
    }
}
