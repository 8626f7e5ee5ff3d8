package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.http.HttpSettings;
import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.adapters.http.Tls;
import io.hive.preloader.adapters.http.WorkerSpec;
import io.hive.preloader.app.config.ConfigLoader;
import io.hive.preloader.app.config.HttpConfig;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the HTTP server of {@code serve} over the wired preloader, with the spawn flow over the wired launcher and the
 * {@code workers:} the API may start: the {@code http:} section of the config, with the
 * token from the {@value #TOKEN_VARIABLE} environment variable when it is set, and the config in force for
 * {@code GET /v1/config} ({@link ConfigLoader#shown}; the token never in it).
 */
final class HttpModule extends AbstractModule {
    static final String TOKEN_VARIABLE = "PRELOADER_TOKEN";

    private final Optional<String> environmentToken;

    HttpModule(Optional<String> environmentToken) {
        this.environmentToken = environmentToken.filter(t -> !t.isEmpty());
    }

    @Provides
    @Singleton
    PreloaderHttpServer server(ModelPreloader preloader, PreloaderConfig config, WorkerLauncher launcher) {
        return new PreloaderHttpServer(preloader, settings(config, environmentToken), ConfigLoader.shown(config), new SpawnFlow(preloader, launcher),
                workers(config));
    }

    /** The configured workers, as the adapter takes them. */
    static Map<String, WorkerSpec> workers(PreloaderConfig config) {
        Map<String, WorkerSpec> workers = new LinkedHashMap<>();
        config.workers().forEach((name, w) -> workers.put(name, new WorkerSpec(w.command(), w.probe(), w.timeout())));
        return workers;
    }

    /** The adapter's settings from the config; the environment's token wins over the file's. */
    static HttpSettings settings(PreloaderConfig config, Optional<String> environmentToken) {
        HttpConfig http = config.http();
        if (environmentToken.isPresent()) {
            try {
                HttpSettings.checkToken(environmentToken.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(TOKEN_VARIABLE + ": " + e.getMessage());
            }
        }
        HttpSettings.Exposure exposure = new HttpSettings.Exposure(http.readToken(), http.metricsPublic(), http.allowedHosts(),
                http.tls().map(HttpModule::tls));
        return new HttpSettings(http.host(), http.port(), environmentToken.or(http::token), http.maxBody(), http.shutdownTimeout(),
                config.device(), exposure);
    }

    /** {@code http.tls} as the adapter takes it: a keystore, or the PEM files (the record holds one or the other). */
    private static Tls tls(HttpConfig.Tls tls) {
        return tls.keystore().<Tls>map(file -> new Tls.Keystore(file, tls.password().orElse("")))
                .orElseGet(() -> new Tls.Pem(tls.cert().orElseThrow(), tls.key().orElseThrow()));
    }
}
