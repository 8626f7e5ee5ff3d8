package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A real preloader (core's builder) over real files in a folder, a test store and sink, and the real HTTP server on
 * a free loopback port. Models: alpha 3 MiB, beta 2 MiB, gamma 1 MiB, and huge (past the 16 MiB budget).
 */
final class Fixture implements AutoCloseable {
    static final String TOKEN = "test-token-0123456789abcdef";
    static final String READ_TOKEN = "read-token-0123456789abcdef";
    static final long MIB = 1L << 20;
    static final ModelId ALPHA = ModelId.of("alpha");
    static final ModelId BETA = ModelId.of("beta");
    static final ModelId GAMMA = ModelId.of("gamma");

    final Path models;
    final FileStore store = new FileStore();
    final GatedSink sink = new GatedSink();
    final ModelPreloader preloader;
    final PreloaderHttpServer server;
    final Client client;

    Fixture(Path dir) {
        this(dir, settings(), AccessJournal.NONE);
    }

    Fixture(Path dir, HttpSettings settings, AccessJournal journal) {
        this(dir, settings, journal, null, Map.of());
    }

    /** A server that starts the named workers through {@code launcher} (none when it is null). */
    Fixture(Path dir, io.hive.preloader.core.port.WorkerLauncher launcher, Map<String, WorkerSpec> workers) {
        this(dir, settings(), AccessJournal.NONE, launcher, workers);
    }

    /** A free loopback port, the admin token {@value #TOKEN} and the read token {@value #READ_TOKEN}. */
    static HttpSettings settings() {
        return HttpSettings.defaults().withPort(0).withToken(TOKEN).withExposure(HttpSettings.Exposure.defaults().withReadToken(READ_TOKEN));
    }

    private Fixture(Path dir, HttpSettings settings, AccessJournal journal, io.hive.preloader.core.port.WorkerLauncher launcher,
                    Map<String, WorkerSpec> workers) {
        this.models = dir.resolve("models");
        try {
            java.nio.file.Files.createDirectories(models);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ModelFiles.write(models, "alpha.gguf", ModelFiles.randomBytes(3 * MIB, 1));
        ModelFiles.write(models, "beta.gguf", ModelFiles.randomBytes(2 * MIB, 2));
        ModelFiles.write(models, "gamma.gguf", ModelFiles.randomBytes(MIB, 3));
        ModelFiles.write(models, "huge.gguf", ModelFiles.randomBytes(17 * MIB, 4));
        this.preloader = ModelPreloader.builder()
                .source(new FolderSource(models))
                .store(store)
                .budget(ByteBudget.parse("16MiB", 0))
                .sink(sink)
                .chunkSize(MIB)
                .journal(journal)
                .build();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("models", List.of(models.toString()));
        config.put("store", "file");
        config.put("budget", "16MiB");
        this.server = (launcher == null ? new PreloaderHttpServer(preloader, settings, config)
                : new PreloaderHttpServer(preloader, settings, config, new io.hive.preloader.core.service.SpawnFlow(preloader, launcher), workers))
                .start();
        this.client = new Client(server.uri(), settings.token());
    }

    Path file(ModelId id) {
        return models.resolve(id.value() + ".gguf");
    }

    /** Preloads through the API and waits for the job to be done. */
    void preload(ModelId id) {
        Client.Response started = client.post("/v1/models/" + id + "/preload");
        if (started.status() != 202 && started.status() != 200) {
            throw new AssertionError("preload of " + id + ": " + started);
        }
        awaitJob(started.json().get("status").asText(), "done");
    }

    Client.Response awaitJob(String status, String state) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> client.get(status), r -> r.status() == 200 && r.json().get("state").asText().equals(state));
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            preloader.close();
        }
    }

    static Optional<String> token() {
        return Optional.of(TOKEN);
    }
}
