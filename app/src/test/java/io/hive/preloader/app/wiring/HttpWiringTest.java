package io.hive.preloader.app.wiring;

import io.hive.preloader.app.config.HttpConfig;
import io.hive.preloader.app.config.HttpConfigBuilder;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.config.PreloaderConfigWorkerBuilder;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code serve}'s wiring: the HTTP server over the preloader the config describes, with the token the operator chose. */
class HttpWiringTest {
    private static final LlamaSpec SMALL = new LlamaSpec(ModelId.of("small"), 256, 512, 4, 4, 2, 1000);
    private static final String FILE_TOKEN = "token-from-the-config-file";
    private static final String ENV_TOKEN = "token-from-the-environment";

    @TempDir
    Path models;

    private final HttpClient http = HttpClient.newHttpClient();

    private PreloaderConfig config() {
        HttpConfig listen = HttpConfigBuilder.builder().host("127.0.0.1").port(0).token(Optional.of(FILE_TOKEN))
                .shutdownTimeout(java.time.Duration.ofSeconds(5)).build();
        return PreloaderConfig.defaults().withModels(List.of(models)).withBudget("64MiB").withHttp(listen);
    }

    @Test
    void shouldServeTheConfiguredPreloaderWithTheEnvironmentsTokenFirst() throws Exception {
        DemoModels.write(models, SMALL);

        try (Service service = Wiring.serve(config(), Optional.of(ENV_TOKEN))) {
            URI base = service.server().start().uri();

            assertThat(send(base, "/v1/models/small/preload", FILE_TOKEN).statusCode()).isEqualTo(401);
            assertThat(send(base, "/v1/models/small/preload", ENV_TOKEN).statusCode()).isEqualTo(202);
            HttpResponse<String> config = http.send(HttpRequest.newBuilder(base.resolve("/v1/config"))
                    .header("Authorization", "Bearer " + ENV_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(config.body()).contains("\"store\":\"mmap\"", "\"budget\":\"64MiB\"", "\"token\":\"<hidden>\"", models.toString())
                    .doesNotContain(FILE_TOKEN).doesNotContain(ENV_TOKEN);
        }
    }

    @Test
    void shouldSpawnAConfiguredWorkerThroughTheProcessLauncherAndStopItOnShutdown() throws Exception {
        DemoModels.write(models, SMALL);
        PreloaderConfig config = config().withWorkers(java.util.Map.of("sh", PreloaderConfigWorkerBuilder.builder()
                .command(List.of("/bin/sh", "-c", "echo \"serving $PRELOADER_MODEL_ID\"; exec sleep 60"))
                .readyLine(Optional.of("^serving small$")).timeout(java.time.Duration.ofSeconds(30)).build()));
        long pid;

        try (Service service = Wiring.serve(config, Optional.empty())) {
            URI base = service.server().start().uri();

            HttpResponse<String> started = http.send(HttpRequest.newBuilder(base.resolve("/v1/models/small/spawn"))
                    .header("Authorization", "Bearer " + FILE_TOKEN).POST(HttpRequest.BodyPublishers.ofString("{\"worker\": \"sh\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            URI status = base.resolve(started.headers().firstValue("Location").orElseThrow());
            String ready = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> http.send(read(status), HttpResponse.BodyHandlers.ofString()).body(),
                            body -> !body.contains("\"state\":\"starting\""));
            assertThat(ready).contains("\"state\":\"ready\"", "\"route\":\"loaded\"");
            pid = Long.parseLong(ready.replaceAll(".*\"pid\":([0-9]+).*", "$1"));
            assertThat(http.send(read(base.resolve("/v1/workers")), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"pid\":" + pid);
            assertThat(http.send(read(base.resolve("/v1/config")), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"workers\":{\"sh\":");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("stopped on shutdown").isFalse();
    }

    @Test
    void shouldHandTheReadTokenTheClosedMetricsAndTheAllowedNamesToTheServer() throws Exception {
        DemoModels.write(models, SMALL);
        String readToken = "read-token-from-the-config";
        PreloaderConfig config = config().withHttp(config().http().withReadToken(Optional.of(readToken)).withMetricsPublic(false)
                .withAllowedHosts(List.of("preloader.local")));

        try (Service service = Wiring.serve(config, Optional.empty())) {
            URI uri = service.server().start().uri();

            assertThat(send(uri, "/v1/models", readToken, "GET").statusCode()).isEqualTo(200);
            assertThat(send(uri, "/v1/models/small/preload", readToken).statusCode()).as("the read token changes nothing").isEqualTo(403);
            assertThat(http.send(HttpRequest.newBuilder(uri.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            assertThat(send(uri, "/metrics", readToken, "GET").statusCode()).isEqualTo(200);
            HttpResponse<String> shown = send(uri, "/v1/config", readToken, "GET");
            assertThat(shown.body()).contains("\"read_token\":\"<hidden>\"", "\"metrics_public\":false", "\"allowed_hosts\":[\"preloader.local\"]")
                    .doesNotContain(readToken);
        }
    }

    @Test
    void shouldUseTheFilesTokenWithoutAnEnvironmentVariable() throws Exception {
        DemoModels.write(models, SMALL);

        try (Service service = Wiring.serve(config(), Optional.empty())) {
            URI base = service.server().start().uri();

            assertThat(send(base, "/v1/models/small/preload", FILE_TOKEN).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void shouldNotServeASymlinkThatLeavesTheModelsFolder(@TempDir Path outside) throws Exception {
        DemoModels.write(models, SMALL);
        Path secret = java.nio.file.Files.writeString(outside.resolve("secret.gguf"), "TOP SECRET");
        java.nio.file.Files.createSymbolicLink(models.resolve("escape.gguf"), secret);

        try (Service service = Wiring.serve(config(), Optional.empty())) {
            URI base = service.server().start().uri();

            HttpResponse<String> list = http.send(read(base.resolve("/v1/models")), HttpResponse.BodyHandlers.ofString());
            assertThat(list.body()).contains("\"small\"").doesNotContain("escape");
            HttpResponse<String> preload = send(base, "/v1/models/escape/preload", FILE_TOKEN);
            assertThat(preload.statusCode()).isEqualTo(404);
            assertThat(preload.body()).startsWith("{\"error\":").doesNotContain("TOP SECRET");
            assertThat(send(base, "/v1/models/escape/transfer", FILE_TOKEN).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void shouldRefuseATransferPastTheHostSinksLimitWith409UntilAHeldCopyIsFreed() throws Exception {
        Path file = DemoModels.write(models, SMALL);
        long size = java.nio.file.Files.size(file);
        PreloaderConfig config = config().withHostSinkLimit(Long.toString(size + size / 2));

        try (Service service = Wiring.serve(config, Optional.empty())) {
            URI base = service.server().start().uri();

            HttpResponse<String> first = send(base, "/v1/models/small/transfer", FILE_TOKEN);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            HttpResponse<String> second = send(base, "/v1/models/small/transfer", FILE_TOKEN);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
            assertThat(second.body()).contains("would pass its limit of", "host_sink_limit");
            String held = first.body().replaceAll(".*\"id\":\"(t[0-9]+)\".*", "$1");
            assertThat(send(base, "/v1/transfers/" + held, FILE_TOKEN, "DELETE").statusCode()).isEqualTo(200);
            assertThat(send(base, "/v1/models/small/transfer", FILE_TOKEN).statusCode()).as("room again").isEqualTo(201);
        }
    }

    @Test
    void shouldShowWhatTheHugepagesStoresModelsTakeAsWholePagesInTheStatsAndTheMetrics(@TempDir Path shared) throws Exception {
        long size = java.nio.file.Files.size(DemoModels.write(models, SMALL));
        PreloaderConfig config = config().withStore(PreloaderConfig.Store.HUGEPAGES)
                .withHugepages(new PreloaderConfig.HugePages(Optional.empty(), shared));

        try (Service service = Wiring.serve(config, Optional.empty())) {
            URI base = service.server().start().uri();
            assertThat(http.send(read(base.resolve("/v1/stats")), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"store_reserved_bytes\":0");

            service.preloader().preload(ModelId.of("small")).get();

            long pages = (size + 4095) / 4096 * 4096; // a folder that is no hugetlbfs: whole base pages
            assertThat(http.send(read(base.resolve("/v1/stats")), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"store_reserved_bytes\":" + pages);
            assertThat(http.send(read(base.resolve("/metrics")), HttpResponse.BodyHandlers.ofString()).body())
                    .containsPattern("(?m)^preloader_store_reserved_bytes " + pages + "(\\.0)?$");
        }
    }

    @Test
    void shouldShowNoReservedFigureForAStoreWhoseModelsTakeTheirOwnSize() throws Exception {
        DemoModels.write(models, SMALL);

        try (Service service = Wiring.serve(config(), Optional.empty())) {
            URI base = service.server().start().uri();

            assertThat(http.send(read(base.resolve("/v1/stats")), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("\"store_reserved_bytes\":null");
            assertThat(http.send(read(base.resolve("/metrics")), HttpResponse.BodyHandlers.ofString()).body())
                    .doesNotContain("preloader_store_reserved");
        }
    }

    @Test
    void shouldRefuseAShortTokenInTheEnvironmentNamingTheVariable() {
        assertThatThrownBy(() -> Wiring.serve(config(), Optional.of("short")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("PRELOADER_TOKEN: the http token is too short (5 characters)");
    }

    /** A GET with the file's token: every read but the health check needs one. */
    private static HttpRequest read(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + FILE_TOKEN).build();
    }

    private HttpResponse<String> send(URI base, String path, String token) throws IOException, InterruptedException {
        return send(base, path, token, "POST");
    }

    private HttpResponse<String> send(URI base, String path, String token, String method) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
