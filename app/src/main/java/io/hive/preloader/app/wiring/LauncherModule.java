package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.process.ProcessWorkerLauncher;
import io.hive.preloader.core.port.WorkerLauncher;

/** Binds the {@link WorkerLauncher}: child processes with readiness probes (the only launcher so far). */
final class LauncherModule extends AbstractModule {

    static WorkerLauncher processes() {
        return new ProcessWorkerLauncher();
    }

    @Provides
    @Singleton
    WorkerLauncher launcher() {
        return processes();
    }
}
