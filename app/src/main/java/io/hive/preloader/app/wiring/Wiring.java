package io.hive.preloader.app.wiring;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.service.ModelPreloader;

import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * Turns a config into objects through Guice, and keeps Guice's types inside this package: callers get core types,
 * and a failure comes out as the exception the adapter or builder threw, not wrapped in Guice's.
 */
public final class Wiring {

    private Wiring() {
    }

    /** A preloader wired as the config says: source, store, policy, budget, sink, journal. The caller closes it. */
    public static ModelPreloader preloader(PreloaderConfig config) {
        return resolve(config, injector -> injector.getInstance(ModelPreloader.class));
    }

    /** The configured models folders and aliases, without a store or cache behind them. */
    public static ModelSource source(PreloaderConfig config) {
        return resolve(config, injector -> injector.getInstance(ModelSource.class));
    }

    /** The access journal the config names ({@link AccessJournal#NONE} when there is none). */
    public static AccessJournal journal(PreloaderConfig config) {
        return resolve(config, injector -> injector.getInstance(AccessJournal.class));
    }

    /** The modules for a config: one per port, each picking the adapter the config names. */
    static List<Module> modules(PreloaderConfig config) {
        return List.of(
                new ConfigModule(config),
                new SourceModule(),
                StoreModule.of(config),
                PolicyModule.of(config),
                SinkModule.of(config),
                new PreloaderModule());
    }

    private static <T> T resolve(PreloaderConfig config, Function<Injector, T> what) {
        try {
            return what.apply(Guice.createInjector(modules(config)));
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
