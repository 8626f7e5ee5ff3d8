package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.fs.FileAccessJournal;
import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.fs.ProcMeminfo;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.ModelSource;

/**
 * Binds what comes from the filesystem: the models folders and aliases, the access journal, the host's RAM size. The
 * first two are also made without an injector ({@link #folders}, {@link #journalOf}), for the commands that need
 * nothing else.
 */
final class SourceModule extends AbstractModule {

    static ModelSource folders(PreloaderConfig config) {
        return new FolderModelSource(config.models(), config.aliasFiles(), config.aliasDigests());
    }

    static AccessJournal journalOf(PreloaderConfig config) {
        return config.journalFile().<AccessJournal>map(FileAccessJournal::new).orElse(AccessJournal.NONE);
    }

    @Provides
    @Singleton
    ModelSource source(PreloaderConfig config) {
        return folders(config);
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
