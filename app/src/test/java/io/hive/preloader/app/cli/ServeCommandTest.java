package io.hive.preloader.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code preloader serve} as an operator runs it: a JVM of its own (the real wiring: mmap store, host sink), which
 * says where it listens, serves the API, and shuts down gracefully on SIGTERM, saving the access journal.
 */
class ServeCommandTest {
    private static final LlamaSpec A = new LlamaSpec(ModelId.of("model-a"), 256, 512, 4, 4, 2, 1000);
    private static final LlamaSpec B = new LlamaSpec(ModelId.of("model-b"), 256, 512, 4, 4, 3, 1000);
    private static final String TOKEN = "serve-command-test-token";
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:[0-9]+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void shouldServeTheApiAndStopGracefullyOnSigterm() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path fileA = DemoModels.write(models, A);
        DemoModels.write(models, B);
        Path config = Files.writeString(dir.resolve("preloader.yaml"), """
                models: [models]
                budget: 64MiB
                keep: [model-b]
                http:
                  port: 0
                  token: "%s"
                """.formatted(TOKEN));
        List<String> out = new CopyOnWriteArrayList<>();
        process = start(List.of("serve", "--config", config.toString()), out);

        await().atMost(Duration.ofSeconds(60)).until(() -> out.stream().anyMatch(l -> LISTENING.matcher(l).matches()));
        Matcher m = LISTENING.matcher(out.getFirst());
        assertThat(m.matches()).as("the first line: %s", out).isTrue();
        URI base = URI.create(m.group(1));

        // keep: model-b is pinned and loaded at startup
        await().atMost(Duration.ofSeconds(30)).until(() -> get(base, "/v1/models/model-b").get("state").asText().equals("resident"));
        assertThat(get(base, "/v1/models/model-b").get("pinned").asBoolean()).isTrue();

        // preload -> status -> handoff (the page-cache file) -> transfer -> evict
        JsonNode job = post(base, "/v1/models/model-a/preload", 202);
        await().atMost(Duration.ofSeconds(30)).until(() -> get(base, job.get("status").asText()).get("state").asText().equals("done"));
        assertThat(get(base, "/v1/models/model-a").get("resident_bytes").asLong()).isEqualTo(Files.size(fileA));
        JsonNode handoff = post(base, "/v1/models/model-a/handoff", 201);
        assertThat(handoff.get("kind").asText()).isEqualTo("page_cache_file");
        assertThat(handoff.get("path").asText()).isEqualTo(fileA.toString());
        JsonNode copy = post(base, "/v1/models/model-a/transfer", 201);
        assertThat(copy.get("bytes").asLong()).isEqualTo(Files.size(fileA));
        assertThat(metric(base, "preloader_transfers_total")).isEqualTo(1);
        assertThat(post(base, "/v1/models/model-a/evict", 200).get("evicted").asBoolean()).isTrue();
        assertThat(metric(base, "preloader_evictions_total")).isEqualTo(1);
        assertThat(send(HttpRequest.newBuilder(base.resolve("/")).GET()).body()).contains("<title>Model preloader</title>");

        assertThat(out).as("stdout is not a terminal: no link with the token").noneMatch(l -> l.contains("#token=") || l.contains(TOKEN));

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped within 60 s").isTrue();
        String err = Files.readString(dir.resolve("serve.err"));
        assertThat(process.exitValue()).as(err).isEqualTo(143);
        assertThat(err).contains("startup: pinning the kept models: model-b").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("WARNING");
        assertThat(models.resolve(".preloader-journal.tsv")).as("the journal saved on the way out").content().contains("model-a\t");
    }

    @Test
    void shouldSayWhenItCannotListen() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Cli.Result result = Cli.run("serve", "--models", models.toString(), "--port", String.valueOf(taken.getLocalPort()));

            assertThat(result.exitCode()).isEqualTo(1);
            assertThat(result.errLines()).singleElement().asString().startsWith("error: cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(result.out()).isEmpty();
            assertThat(result.leaked()).doesNotContain("Exception");
        }
    }

    @Test
    void shouldRefuseABadPortOnOneLine() {
        Cli.Result result = Cli.run("serve", "--models", dir.toString(), "--port", "70000");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: --port 70000 is not a TCP port (0 to 65535; 0 picks a free one)\n");
    }

    @Test
    void shouldRefuseToListenBeyondThisHostWithoutATokenOnOneLine() {
        Cli.Result result = Cli.run("serve", "--models", dir.toString(), "--host", "0.0.0.0", "--port", "0");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.errLines()).singleElement().asString()
                .startsWith("error: refusing to listen on 0.0.0.0, beyond this host, without a token: set http.token");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void shouldPrintThePageWithItsTokenInTheFragmentOnlyOnATerminal() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        String readToken = "read-token-of-the-serve-test";
        Path config = Files.writeString(dir.resolve("preloader.yaml"), """
                models: [models]
                http: {port: 0, token: "%s", read_token: "%s"}
                """.formatted(TOKEN, readToken));
        // script(1) runs serve on a pseudo-terminal, as an operator's shell would.
        String shell = command(List.of("serve", "--config", config.toString())).stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                .collect(java.util.stream.Collectors.joining(" "));
        List<String> out = new CopyOnWriteArrayList<>();
        process = run(List.of("script", "-q", "-e", "-c", shell, "/dev/null"), out);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.stream().anyMatch(l -> l.contains("#token=")));
            List<String> lines = out.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
            Matcher m = LISTENING.matcher(lines.getFirst());
            assertThat(m.matches()).as("the first line stays as it was: %s", lines).isTrue();
            assertThat(lines.get(1)).isEqualTo("the page, with its token: " + m.group(1) + "/#token=" + readToken);
            assertThat(String.join("\n", lines)).doesNotContain(TOKEN).doesNotContain("?token");
        } finally {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--enable-native-access") || a.startsWith("--add-opens") || a.startsWith("--add-exports")
                        || a.startsWith("--sun-misc-unsafe-memory-access"))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hive.preloader.app.Main"));
        command.addAll(args);
        return command;
    }

    private Process start(List<String> args, List<String> out) throws IOException {
        return run(command(args), out);
    }

    private Process run(List<String> command, List<String> out) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectError(dir.resolve("serve.err").toFile());
        pb.environment().remove("PRELOADER_TOKEN");
        Process p = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(out::add);
            } catch (IOException e) {
                // the process ended
            }
        }, "serve-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private JsonNode get(URI base, String path) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + TOKEN).GET()).body());
    }

    private JsonNode post(URI base, String path, int expected) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    private double metric(URI base, String name) throws Exception {
        return send(HttpRequest.newBuilder(base.resolve("/metrics")).GET()).body().lines()
                .filter(l -> l.startsWith(name + " ")).map(l -> Double.parseDouble(l.substring(name.length() + 1).strip()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
