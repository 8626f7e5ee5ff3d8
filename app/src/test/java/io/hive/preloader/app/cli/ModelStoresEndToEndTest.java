package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigLoader;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.config.HttpConfigBuilder;
import io.hive.preloader.app.wiring.Service;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.testing.GgufFixtures;
import io.hive.preloader.core.testing.ModelStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static io.hive.preloader.core.testing.ModelStores.OLLAMA_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ollama's models folder and a Hugging Face hub cache, built as their tools leave them from the project's real GGUF
 * files, served through the real wiring: listed, preloaded and spawned by id from the CLI and the HTTP API, a blob that
 * does not match its digest refused, a missing blob and a link out of the store listed invalid, a new revision followed.
 */
class ModelStoresEndToEndTest {
    static final byte[] GPT2 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-gpt-2.gguf"));
    static final byte[] LLAMA = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-llama-spm.gguf"));
    static final byte[] QWEN = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-qwen2.gguf"));
    static final String MAIN = "5f0b02c75b57c5855da9ae460ce51323ea669d8a";
    static final String NEXT = "fedcba9876543210fedcba9876543210fedcba98";
    static final String HF_ID = "bartowski+Llama-3.2-1B-Instruct-GGUF+Llama-3.2-1B-Instruct-Q4_K_M";
    static final String OLLAMA_HF_ID = "hf.co+bartowski+Llama-3.2-1B-Instruct-GGUF:Q4_K_M";
    private static final String TOKEN = "stores-test-token-0123456789abcdef";

    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    private final HttpClient http = HttpClient.newHttpClient();

    private Path ollama() {
        return dir.resolve("ollama");
    }

    private Path hub() {
        return dir.resolve("hub");
    }

    /** Both stores, with a model of each kind, a manifest whose blob is missing, and a snapshot link leaving the cache. */
    private Path stores() throws Exception {
        ModelStores.ollamaModel(ollama(), OLLAMA_HOST, "library", "llama3.2", "1b", LLAMA);
        ModelStores.ollamaModel(ollama(), "hf.co", "bartowski", "Llama-3.2-1B-Instruct-GGUF", "Q4_K_M", GPT2);
        ModelStores.ollamaManifest(ollama(), OLLAMA_HOST, "library", "gone", "7b", ModelStores.sha256(QWEN), QWEN.length);
        Path link = ModelStores.hubFile(hub(), "bartowski", "Llama-3.2-1B-Instruct-GGUF", MAIN, "Llama-3.2-1B-Instruct-Q4_K_M.gguf", GPT2);
        Files.createSymbolicLink(link.resolveSibling("outside.gguf"), Files.write(elsewhere.resolve("outside.gguf"), LLAMA));
        return Files.writeString(dir.resolve("preloader.yaml"), """
                ollama: [ollama]
                huggingface: [hub]
                store: buffer
                budget: 64MiB
                """);
    }

    private static Path blob(byte[] bytes, Path blobs, String prefix) throws Exception {
        return blobs.resolve(prefix + ModelStores.sha256(bytes)).toRealPath();
    }

    @Test
    void theCliListsPreloadsAndSpawnsTheStoresModelsById() throws Exception {
        Path config = stores();

        Cli.Result status = Cli.run("status", "--config", config.toString());
        Cli.Result preload = Cli.run("preload", "--no-progress", "--config", config.toString(), "llama3.2:1b", HF_ID, OLLAMA_HF_ID);
        Cli.Result spawn = Cli.run("spawn", "--config", config.toString(), HF_ID, "--ready-exit", "--", "/bin/sh", "-c", "echo started {model}");
        Cli.Result gone = Cli.run("preload", "--no-progress", "--config", config.toString(), "gone:7b");
        Cli.Result outside = Cli.run("preload", "--no-progress", "--config", config.toString(), "bartowski+Llama-3.2-1B-Instruct-GGUF+outside");

        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("models in " + ollama() + ", " + hub() + ": 3,", "\nllama3.2:1b ", "\n" + OLLAMA_HF_ID + " ", "\n" + HF_ID + " ",
                blob(LLAMA, ollama().resolve("blobs"), "sha256-").toString(), "invalid: 2 models cannot be served",
                "  gone:7b ", " " + ollama().resolve("manifests/registry.ollama.ai/library/gone/7b") + ": names the blob ",
                ", outside " + ModelStores.hubRepo(hub(), "bartowski", "Llama-3.2-1B-Instruct-GGUF").toRealPath().resolve("blobs")
                        + "; a link that leaves the store is not followed");
        assertThat(preload.exitCode()).as(preload.err()).isZero();
        assertThat(preload.out()).contains("preloaded llama3.2:1b", "preloaded " + HF_ID, "preloaded " + OLLAMA_HF_ID);
        assertThat(spawn.exitCode()).as(spawn.err()).isZero();
        assertThat(spawn.out() + spawn.err()).contains("started " + blob(GPT2, ModelStores.hubRepo(hub(), "bartowski", "Llama-3.2-1B-Instruct-GGUF").resolve("blobs"), ""));
        assertThat(gone.exitCode()).isEqualTo(2);
        assertThat(gone.err().strip()).isEqualTo("error: " + ollama().resolve("manifests/registry.ollama.ai/library/gone/7b") + ": names the blob "
                + ollama().toRealPath().resolve("blobs/sha256-" + ModelStores.sha256(QWEN)) + ", which is missing");
        assertThat(outside.exitCode()).isEqualTo(2);
        assertThat(outside.err()).startsWith("error: ").contains("a link that leaves the store is not followed");
    }

    @Test
    void aBlobThatDoesNotMatchItsDigestIsRefusedAndFreed() throws Exception {
        Path config = stores();
        for (Path blob : new Path[] {blob(LLAMA, ollama().resolve("blobs"), "sha256-"),
                blob(GPT2, ModelStores.hubRepo(hub(), "bartowski", "Llama-3.2-1B-Instruct-GGUF").resolve("blobs"), "")}) {
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length - 1] ^= 0x01; // the last value's (a flag, a token id): still a valid header
            Files.write(blob, bytes);
        }

        Cli.Result ollamaModel = Cli.run("preload", "--no-progress", "--config", config.toString(), "llama3.2:1b");
        Cli.Result hubModel = Cli.run("preload", "--no-progress", "--config", config.toString(), HF_ID);

        assertThat(ollamaModel.exitCode()).isEqualTo(2);
        assertThat(ollamaModel.err().strip()).startsWith("error: " + blob(LLAMA, ollama().resolve("blobs"), "sha256-") + ": its SHA-256 is ")
                .endsWith(", not " + ModelStores.sha256(LLAMA) + " as its digest says; the bytes loaded were freed");
        assertThat(hubModel.exitCode()).isEqualTo(2);
        assertThat(hubModel.err().strip()).endsWith(", not " + ModelStores.sha256(GPT2) + " as its digest says; the bytes loaded were freed");
    }

    @Test
    void aFolderThatIsNotAStoreStopsTheStartInOneLine() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("models/notes.txt"), "not a store");
        Path config = Files.writeString(dir.resolve("preloader.yaml"), "huggingface: [models]\n");

        Cli.Result status = Cli.run("status", "--config", config.toString());

        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.errLines()).containsExactly("error: huggingface: " + dir.resolve("models") + " is not a Hugging Face hub cache: "
                + "it holds no models--ORG--REPO folder (the hub keeps them in ~/.cache/huggingface/hub, or $HF_HUB_CACHE)");
    }

    private HttpResponse<String> call(URI base, String method, String path) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + TOKEN);
        request = method.equals("GET") ? request.GET() : request.method(method, HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiServesTheStoresIdsAndFollowsANewRevision() throws Exception {
        PreloaderConfig config = ConfigLoader.load(stores()).withHttp(HttpConfigBuilder.builder().host("127.0.0.1").port(0)
                .token(Optional.of(TOKEN)).shutdownTimeout(Duration.ofSeconds(5)).build());
        try (Service service = Wiring.serve(config, Optional.empty())) {
            URI base = service.server().start().uri();
            String listing = call(base, "GET", "/v1/models").body();
            assertThat(listing).contains("\"id\":\"llama3.2:1b\"", "\"id\":\"" + HF_ID + "\"", "\"id\":\"" + OLLAMA_HF_ID + "\"", "\"id\":\"gone:7b\"");
            assertThat(call(base, "GET", "/v1/models/gone:7b").body()).contains("\"state\":\"invalid\"", "which is missing");
            assertThat(call(base, "POST", "/v1/models/llama3.2%3A1b/preload").statusCode()).isEqualTo(202);
            assertThat(call(base, "POST", "/v1/models/" + HF_ID + "/pin").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/" + HF_ID.replace("+", "%2B")).body()
                    .contains("\"resident_bytes\":" + GPT2.length));
            await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/llama3.2:1b").body().contains("\"state\":\"resident\""));
            assertThat(call(base, "GET", "/metrics").body()).contains("model=\"" + HF_ID + "\"", "model=\"llama3.2:1b\"");

            // The hub downloads a new revision of the repository: the pinned model's new version is loaded.
            ModelStores.hubFile(hub(), "bartowski", "Llama-3.2-1B-Instruct-GGUF", NEXT, "Llama-3.2-1B-Instruct-Q4_K_M.gguf", QWEN);

            String reloaded = await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/" + HF_ID).body(),
                    body -> body.contains("\"state\":\"resident\"") && body.contains("\"resident_bytes\":" + QWEN.length));
            assertThat(reloaded).contains("\"size\":" + QWEN.length, "\"pinned\":true");
            assertThat(service.preloader().catalog()).filteredOn(m -> m.id().value().equals(HF_ID)).singleElement()
                    .satisfies(m -> assertThat(m.path().getFileName().toString()).isEqualTo(ModelStores.sha256(QWEN)));
        }
    }
}
