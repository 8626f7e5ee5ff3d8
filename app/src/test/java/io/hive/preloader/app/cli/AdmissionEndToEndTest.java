package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.HttpConfig;
import io.hive.preloader.app.config.HttpConfigBuilder;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.config.PreloaderConfigWorkerBuilder;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.app.wiring.Service;
import io.hive.preloader.app.wiring.Wiring;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.gguf.TensorInfo;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.GgufCorpus;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Only whole, valid models are admitted, end to end: a sample of the fuzz corpus's files to refuse is refused by
 * {@code preload} and {@code spawn} (exit 2, inspect's {@code error:} line) and by the HTTP API (422 with the same
 * words, {@code state: invalid} in the listing), through the real wiring (folder source, mmap store); a digest that
 * does not match fails the load and frees it; a model replaced on disk is loaded anew, and an invalid replacement
 * shows invalid.
 */
class AdmissionEndToEndTest {
    private static final LlamaSpec VALID = new LlamaSpec(ModelId.of("valid"), 256, 512, 4, 4, 2, 1000);
    private static final String TOKEN = "admission-test-token-0123456789";
    /** Every n-th file of the corpus that must be refused goes through the slower layers. */
    private static final int SAMPLE = 60;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** The corpus's files to refuse, one in {@link #SAMPLE}, written into a folder as {@code mNNNN.gguf}. */
    private List<Path> sample(Path folder) throws IOException {
        Files.createDirectories(folder);
        List<GgufCorpus.Mutant> corpus = GgufCorpus.corpus().stream().filter(GgufCorpus.Mutant::mustRefuse).toList();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i += SAMPLE) {
            files.add(ModelFiles.write(folder, String.format("m%04d.gguf", i), corpus.get(i).maker().get()).toRealPath());
        }
        return files;
    }

    private static String inspectError(Path file) {
        Cli.Result inspect = Cli.run("inspect", file.toString());
        assertThat(inspect.exitCode()).as(file + ": " + inspect.err()).isEqualTo(2);
        assertThat(inspect.errLines()).hasSize(1);
        return inspect.errLines()[0];
    }

    @Test
    void preloadAndSpawnRefuseEveryFileOfTheSampleWithInspectsLine() throws IOException {
        List<Path> files = sample(dir.resolve("corpus"));
        assertThat(files).hasSizeGreaterThan(30);
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            String expected = inspectError(file);
            Cli.Result preload = Cli.run("preload", "--no-progress", file.toString());
            assertThat(preload.exitCode()).as(file.toString()).isEqualTo(2);
            assertThat(preload.err().strip()).as(file.toString()).isEqualTo(expected);
            assertThat(preload.out()).doesNotContain("preloaded");
            assertThat(preload.leaked()).isEmpty();
            if (i % 3 == 0) {
                Cli.Result spawn = Cli.run("spawn", file.toString(), "--ready-exit", "--", "/bin/sh", "-c", "echo started {model}");
                assertThat(spawn.exitCode()).as(file.toString()).isEqualTo(2);
                assertThat(spawn.err().strip()).as(file.toString()).isEqualTo(expected);
                assertThat(spawn.out()).doesNotContain("started");
            }
        }
    }

    @Test
    void aModelTruncatedByOneByteIsRefusedAndTheValidOneLoads() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path valid = DemoModels.write(models, VALID);
        byte[] whole = Files.readAllBytes(valid);
        // One byte short of the last tensor's end (the padding after it is not the tensor's).
        GgufHeader header = GgufReader.read(java.lang.foreign.MemorySegment.ofArray(whole));
        TensorInfo last = header.tensors().getLast();
        int end = Math.toIntExact(header.dataOffset() + last.offset() + last.byteSize());
        Path cut = ModelFiles.write(models, "cut.gguf", ModelFiles.truncated(whole, end - 1));

        Cli.Result refused = Cli.run("preload", "--no-progress", cut.toString());
        Cli.Result loaded = Cli.run("preload", "--no-progress", "--models", models.toString(), "valid");
        Cli.Result status = Cli.run("status", "--models", models.toString());

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err().strip()).isEqualTo(inspectError(cut)).contains("ends past the end of the file's");
        assertThat(loaded.exitCode()).as(loaded.err()).isZero();
        assertThat(loaded.out()).contains("preloaded valid");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.out()).contains("invalid: 1 model cannot be served", "  cut  " + cut.toRealPath() + ": tensor '");
    }

    @Test
    void aDigestFromASidecarOrTheConfigIsCheckedWhileTheModelLoads() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path valid = DemoModels.write(models, VALID);
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(valid)));
        Files.writeString(models.resolve("valid.gguf.sha256"), digest + "  valid.gguf\n");
        Path config = Files.writeString(dir.resolve("preloader.yaml"), """
                models: [models]
                store: buffer
                budget: 64MiB
                aliases:
                  wrong: {path: models/valid.gguf, sha256: "%s"}
                """.formatted("0".repeat(64)));

        Cli.Result good = Cli.run("preload", "--no-progress", "--config", config.toString(), "valid");
        Cli.Result bad = Cli.run("preload", "--no-progress", "--config", config.toString(), "wrong");

        assertThat(good.exitCode()).as(good.err()).isZero();
        assertThat(good.out()).contains(", SHA-256 verified");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err().strip()).isEqualTo("error: " + valid.toRealPath() + ": its SHA-256 is " + digest + ", not " + "0".repeat(64)
                + " as its digest says; the bytes loaded were freed");
    }

    private PreloaderConfig serveConfig(Path models) {
        HttpConfig listen = HttpConfigBuilder.builder().host("127.0.0.1").port(0).token(Optional.of(TOKEN))
                .shutdownTimeout(Duration.ofSeconds(5)).build();
        return PreloaderConfig.defaults().withModels(List.of(models)).withBudget("256MiB").withHttp(listen)
                .withWorkers(Map.of("sh", PreloaderConfigWorkerBuilder.builder().command(List.of("/bin/sh", "-c", "exit 0")).build()));
    }

    private HttpResponse<String> call(URI base, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + TOKEN);
        request = method.equals("GET") ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String error(HttpResponse<String> response) {
        return error(response.body());
    }

    /** The {@code error} of a JSON body, unescaped. */
    private static String error(String body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("error").asText();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theApiRefusesEveryFileOfTheSampleWith422AndListsItInvalid() throws Exception {
        Path models = dir.resolve("models");
        List<Path> files = sample(models);
        DemoModels.write(models, VALID);
        try (Service service = Wiring.serve(serveConfig(models), Optional.empty())) {
            URI base = service.server().start().uri();
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                String id = file.getFileName().toString().replace(".gguf", "");
                String expected = inspectError(file).substring("error: ".length());
                HttpResponse<String> preload = call(base, "POST", "/v1/models/" + id + "/preload", "");
                assertThat(preload.statusCode()).as(preload.body()).isEqualTo(422);
                assertThat(error(preload)).isEqualTo(expected);
                HttpResponse<String> view = call(base, "GET", "/v1/models/" + id, "");
                assertThat(view.body()).contains("\"state\":\"invalid\"", "\"resident_bytes\":0");
                assertThat(error(view)).isEqualTo(expected);
                if (i % 4 == 0) {
                    HttpResponse<String> spawn = call(base, "POST", "/v1/models/" + id + "/spawn", "{\"worker\": \"sh\"}");
                    assertThat(spawn.statusCode()).as(spawn.body()).isEqualTo(422);
                    assertThat(error(spawn)).isEqualTo(expected);
                }
            }
            String listing = call(base, "GET", "/v1/models", "").body();
            assertThat(listing.split("\"state\":\"invalid\"", -1)).hasSize(files.size() + 1);
            assertThat(call(base, "POST", "/v1/models/valid/preload", "").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/valid", "").body().contains("\"state\":\"resident\""));
            assertThat(service.preloader().stats().cache().entries()).extracting(e -> e.id().value()).containsExactly("valid");
        }
    }

    @Test
    void aDigestMismatchOverTheApiFailsTheJobAndFreesTheModel() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        DemoModels.write(models, VALID);
        Files.writeString(models.resolve("valid.gguf.sha256"), "1".repeat(64) + "  valid.gguf\n");
        try (Service service = Wiring.serve(serveConfig(models).withStore(PreloaderConfig.Store.BUFFER), Optional.empty())) {
            URI base = service.server().start().uri();
            HttpResponse<String> started = call(base, "POST", "/v1/models/valid/preload", "");
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            URI job = base.resolve(started.headers().firstValue("Location").orElseThrow());
            String failed = await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", job.getPath(), "").body(),
                    body -> body.contains("\"state\":\"failed\""));
            assertThat(error(failed)).contains("valid.gguf: its SHA-256 is ", "not " + "1".repeat(64));
            assertThat(service.preloader().usedBytes()).isZero();
            assertThat(service.preloader().stats().cache().entries()).isEmpty();
        }
    }

    @Test
    void aModelReplacedOnDiskIsLoadedAnewAndAnInvalidReplacementShowsInvalid() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path file = DemoModels.write(models, VALID);
        LlamaSpec bigger = new LlamaSpec(ModelId.of("valid"), 256, 512, 4, 4, 3, 1000);
        try (Service service = Wiring.serve(serveConfig(models), Optional.empty())) {
            URI base = service.server().start().uri();
            assertThat(call(base, "POST", "/v1/models/valid/pin", "").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/valid", "").body().contains("\"state\":\"resident\""));

            Path next = DemoModels.write(Files.createDirectories(dir.resolve("next")), bigger);
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long newSize = Files.size(file);

            String reloaded = await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/valid", "").body(),
                    body -> body.contains("\"state\":\"resident\"") && body.contains("\"resident_bytes\":" + newSize));
            assertThat(reloaded).contains("\"size\":" + newSize, "\"pinned\":true");

            ModelFiles.replace(file, "junk, not a model".getBytes());
            String invalid = await().atMost(Duration.ofSeconds(30)).until(() -> call(base, "GET", "/v1/models/valid", "").body(),
                    body -> body.contains("\"state\":\"invalid\""));
            assertThat(error(invalid)).startsWith(file.toRealPath() + ": not a GGUF file");
            assertThat(invalid).contains("\"resident_bytes\":0");
            assertThat(service.preloader().usedBytes()).isZero();
        }
    }
}
