package io.hive.preloader.app.wiring;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.service.MemoryPressureGuard;
import io.hive.preloader.core.service.ModelPreloader;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a config into objects, and keeps Guice's types inside this package: callers get core types, and a failure
 * comes out as the exception the adapter or builder threw, not wrapped in Guice's. Each module's factories say which
 * adapter a config picks; {@link #serve} runs them through a Guice injector (with the HTTP module), while the
 * commands that run once and exit call them directly: making an injector (its reflection over every module) took a
 * warm {@code preload} longer than the rest of its work after the config was read.
 */
public final class Wiring {

    private Wiring() {
    }

    /**
     * A preloader wired as the config says: source, store, policy, budget, sink, pipeline, journal, by the modules'
     * factories, without an injector. The caller closes it (which closes its sink and pipeline).
     */
    public static ModelPreloader preloader(PreloaderConfig config) {
        HostMemory host = SourceModule.host();
        RamStore store = StoreModule.of(config);
        EvictionPolicy policy = PolicyModule.of(config, host);
        VramSink sink = SinkModule.of(config, host);
        // Until the preloader is built, what is opened for it is this method's to close on a failure.
        try {
            StagingPipeline pipeline = TransferModule.of(config);
            try {
                return PreloaderModule.of(config, SourceModule.folders(config), store, policy, host, sink, SourceModule.journalOf(config), pipeline);
            } catch (RuntimeException | Error e) {
                closeAfter(e, pipeline);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            closeAfter(e, sink);
            throw e;
        }
    }

    /** Closes {@code opened} after {@code failure}; a failure to close is suppressed in it. */
    private static void closeAfter(Throwable failure, AutoCloseable opened) {
        try {
            opened.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** The configured models folders and aliases, without a store or cache behind them. */
    public static ModelSource source(PreloaderConfig config) {
        return SourceModule.folders(config);
    }

    /** The access journal the config names ({@link AccessJournal#NONE} when there is none). */
    public static AccessJournal journal(PreloaderConfig config) {
        return SourceModule.journalOf(config);
    }

    /** The launcher of worker processes, for the spawn flow. */
    public static WorkerLauncher launcher(PreloaderConfig config) {
        return LauncherModule.processes();
    }

    /**
     * The preloader and the HTTP server over it, as {@code serve} runs them (not started yet); closing the service
     * stops the server, then the preloader.
     *
     * @param environmentToken the {@code PRELOADER_TOKEN} environment variable, which wins over {@code http.token}
     */
    public static Service serve(PreloaderConfig config, Optional<String> environmentToken) {
        return resolve(config, List.of(new HttpModule(environmentToken)), injector -> {
            ModelPreloader preloader = injector.getInstance(ModelPreloader.class);
            try {
                HostMemory host = injector.getInstance(HostMemory.class);
                MemoryPressureGuard guard = MemoryPressureGuard.start(preloader, host,
                        ByteBudget.parse(config.budget(), host.totalBytes()), memoryReserve(host), MEMORY_CHECK_PERIOD);
                return new Service(preloader, injector.getInstance(PreloaderHttpServer.class), guard);
            } catch (RuntimeException e) {
                preloader.close();
                throw e;
            }
        });
    }

    /** How often a daemon compares its budget with the host's available memory. */
    static final Duration MEMORY_CHECK_PERIOD = Duration.ofSeconds(2);

    /** What a daemon leaves free for the rest of the host: 5% of RAM, at least 256 MiB, at most 4 GiB. */
    static long memoryReserve(HostMemory host) {
        return Math.clamp(host.totalBytes() / 20, 256L << 20, 4L << 30);
    }

    /** The modules for a config: one per port, each picking the adapter the config names. */
    static List<Module> modules(PreloaderConfig config) {
        return List.of(
                new ConfigModule(config),
                new SourceModule(),
                new StoreModule(),
                new PolicyModule(),
                new SinkModule(),
                new TransferModule(),
                new LauncherModule(),
                new PreloaderModule());
    }

    private static <T> T resolve(PreloaderConfig config, List<Module> more, Function<Injector, T> what) {
        try {
            List<Module> all = new java.util.ArrayList<>(modules(config));
            all.addAll(more);
            return what.apply(Guice.createInjector(all));
        } catch (ProvisionException e) {
            throw unwrap(e.getErrorMessages(), e);
        } catch (CreationException e) {
            throw unwrap(e.getErrorMessages(), e);
        } catch (ConfigurationException e) {
            throw unwrap(e.getErrorMessages(), e);
        }
    }

    /** The adapter's own exception when one provider failed; otherwise Guice's first message, on one line. */
    private static RuntimeException unwrap(Collection<Message> messages, RuntimeException guice) {
        Throwable cause = guice.getCause();
        while (cause != null && cause.getCause() != null && cause instanceof ProvisionException) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        String first = messages.stream().findFirst().map(Message::getMessage).orElse(guice.getClass().getSimpleName());
        return new IllegalStateException("wiring failed: " + first.lines().findFirst().orElse(first), cause);
    }
}
