package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.http.HttpSettings;
import io.hive.preloader.adapters.http.PreloaderHttpServer;
import io.hive.preloader.adapters.http.Tls;
import io.hive.preloader.adapters.http.WorkerSpec;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Binds the HTTP server of {@code serve} over the wired preloader, with the spawn flow over the wired launcher and the
 * {@code workers:} the API may start: the {@code http:} section of the config, with the
 * token from the {@value #TOKEN_VARIABLE} environment variable when it is set, and the config in force for
 * {@code GET /v1/config} (the token never in it).
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
        return new PreloaderHttpServer(preloader, settings(config, environmentToken), view(config), new SpawnFlow(preloader, launcher),
                workers(config));
    }

    /** The configured workers, as the adapter takes them. */
    static Map<String, WorkerSpec> workers(PreloaderConfig config) {
        Map<String, WorkerSpec> workers = new LinkedHashMap<>();
        config.workers().forEach((name, w) -> workers.put(name, new WorkerSpec(w.command(), w.probe(), Duration.ofSeconds(w.timeoutSeconds()))));
        return workers;
    }

    /** The adapter's settings from the config; the environment's token wins over the file's. */
    static HttpSettings settings(PreloaderConfig config, Optional<String> environmentToken) {
        PreloaderConfig.Http http = config.http();
        if (environmentToken.isPresent()) {
            try {
                HttpSettings.checkToken(environmentToken.get());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(TOKEN_VARIABLE + ": " + e.getMessage());
            }
        }
        HttpSettings.Exposure exposure = new HttpSettings.Exposure(http.readToken(), http.metricsPublic(), http.allowedHosts(),
                http.tls().map(HttpModule::tls));
        return new HttpSettings(http.host(), http.port(), environmentToken.or(http::token), http.maxBodyBytes(),
                Duration.ofSeconds(http.shutdownTimeoutSeconds()), config.transfer().device(), exposure);
    }

    private static Tls tls(PreloaderConfig.Tls tls) {
        return switch (tls) {
            case PreloaderConfig.Tls.Pem p -> new Tls.Pem(p.cert(), p.key());
            case PreloaderConfig.Tls.Keystore k -> new Tls.Keystore(k.file(), k.password());
        };
    }

    /** The config as {@code GET /v1/config} shows it, in the file's own keys; the server adds its {@code http} part. */
    static Map<String, Object> view(PreloaderConfig config) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("models", config.models().stream().map(Path::toString).toList());
        Map<String, Object> aliases = new LinkedHashMap<>();
        config.aliases().forEach((id, file) -> aliases.put(id.value(), file.toString()));
        view.put("aliases", aliases);
        view.put("store", PreloaderConfig.nameOf(config.store()));
        view.put("mmap", Map.of("lock", config.mmapLock()));
        view.put("buffer", Map.of("direct_io", config.bufferDirectIo()));
        Map<String, Object> hugepages = new LinkedHashMap<>();
        hugepages.put("mount", config.hugepages().mount().map(Path::toString).orElse(null));
        hugepages.put("fallback", config.hugepages().fallback().toString());
        view.put("hugepages", hugepages);
        view.put("policy", PreloaderConfig.nameOf(config.policy()));
        view.put("budget", config.budget());
        view.put("auto_preload", config.autoPreload());
        view.put("keep", config.keep().stream().map(Object::toString).toList());
        view.put("sink", PreloaderConfig.nameOf(config.sink()));
        view.put("device", config.transfer().device());
        view.put("plan", PreloaderConfig.nameOf(config.transfer().plan()));
        view.put("chunk_size", config.transfer().chunkSize());
        view.put("readers", config.transfer().readers());
        view.put("journal", config.journalFile().map(Path::toString).orElse(null));
        Map<String, Object> workers = new LinkedHashMap<>();
        config.workers().forEach((name, w) -> workers.put(name, Map.of("command", w.command(), "ready", w.probe().describe(),
                "timeout", w.timeoutSeconds())));
        view.put("workers", workers);
        return view;
    }
}
