package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.ReadinessProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Fixture.ALPHA;
import static io.hive.preloader.adapters.http.HttpSafetyTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A hostile client against the running server, over real HTTP: reads it should not get, names and origins it should
 * not be answered under (DNS rebinding), guesses at the token, and the leaks each of the fixes closed.
 */
class HostileClientTest {
    private static final String SECRET = "sk-secret-0123456789";

    @TempDir
    Path dir;

    private Fixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    /** Every read the API serves, with its path parameters filled in; the health check and the metrics aside. */
    private List<String> sensitiveReads() {
        return f.server.routes().stream().filter(r -> r.method().name().equals("GET"))
                .map(Route::path).filter(p -> !p.equals("/v1/health") && !p.equals("/metrics"))
                .map(p -> p.replace("{id}", "alpha").replace("{job}", "1").replace("{transfer}", "t1").replace("{lease}", "l1")
                        .replace("{spawn}", "1").replace("{pid}", "1"))
                .toList();
    }

    @Test
    void shouldAnswerOnlyTheHealthCheckTheMetricsAndThePageWithoutAToken() {
        f = new Fixture(dir);
        f.preload(ALPHA);
        assertThat(f.client.post("/v1/models/alpha/transfer", "{}").status()).isEqualTo(201);
        assertThat(f.client.post("/v1/models/alpha/handoff").status()).isEqualTo(201);
        Client anonymous = f.client.withoutToken();
        Client stranger = f.client.withToken("not-the-token-0123456789");
        Client reader = f.client.withToken(Fixture.READ_TOKEN);
        List<String> reads = sensitiveReads();
        assertThat(reads).contains("/v1/models", "/v1/config", "/v1/transfers", "/v1/transfers/t1", "/v1/leases/l1", "/v1/spawns",
                "/v1/workers", "/v1/stats", "/v1/activity", "/v1/openapi.json", "/v1/jobs/1");

        for (String path : reads) {
            Client.Response refused = anonymous.get(path);
            assertThat(refused.status()).as("GET %s without a token: %s", path, refused).isEqualTo(401);
            assertError(refused);
            assertThat(refused.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(stranger.get(path).status()).as("GET %s with a wrong token (429 once they come too fast)", path).isIn(401, 429);
            // 404 for a spawn or job that was never started: the token was taken, the thing is missing.
            int expected = path.startsWith("/v1/spawns/") ? 404 : 200;
            assertThat(reader.get(path).status()).as("GET %s with the read token", path).isEqualTo(expected);
            assertThat(f.client.get(path).status()).as("GET %s with the admin token", path).isEqualTo(expected);
        }
        // No other spelling of a protected path reads as an open one.
        for (String path : List.of("//v1/models", "/v1//config", "/v1/models/", "/v1/config/", "/v1/transfers?limit=1", "/v1/./config",
                "/v1/health/../config", "/v1", "/v1/", "/V1/models", "/v1/nothing-here", "/./v1/config", "/%761/config", "/v1/%63onfig",
                "/;x/v1/config", "/v1;x/config", "/v1/health;x", "/v1/health/x/../../config", "/metrics/../v1/config")) {
            Client.Response r = anonymous.get(path);
            assertThat(r.status()).as("GET %s without a token: %s", path, r).isNotEqualTo(200).isIn(400, 401, 404);
            assertThat(r.body()).doesNotContain("alpha");
        }
        for (String open : List.of("/v1/health", "/metrics", "/", "/page.js", "/page.css")) {
            assertThat(anonymous.get(open).status()).as("GET %s without a token", open).isEqualTo(200);
        }
    }

    @Test
    void shouldCloseTheMetricsWhenTheyAreNotPublic() {
        f = new Fixture(dir, Fixture.settings().withExposure(Fixture.settings().exposure().withMetricsPublic(false)), AccessJournal.NONE);

        assertThat(f.client.withoutToken().get("/metrics").status()).isEqualTo(401);
        assertThat(f.client.withToken(Fixture.READ_TOKEN).get("/metrics").body()).contains("preloader_cache_hits_total");
        assertThat(f.client.withoutToken().get("/v1/health").status()).isEqualTo(200);
    }

    @Test
    void shouldRefuseARebindingPageOnEveryPathWhateverItsToken() {
        f = new Fixture(dir);
        int port = f.server.port();

        for (Client evil : List.of(f.client.withHeader("Host", "evil.example:" + port), f.client.withoutToken().withHeader("Host", "evil.example"),
                f.client.withHeader("Host", "127.0.0.1.nip.io:" + port), f.client.withHeader("Host", "localhost.evil.example:" + port))) {
            for (String path : List.of("/", "/page.js", "/metrics", "/v1/health", "/v1/models", "/v1/config", "/nothing-here")) {
                Client.Response r = evil.get(path);
                assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(403);
                assertError(r);
                assertThat(r.json().get("error").asText()).contains("is not a name of this server", "http.allowed_hosts");
            }
            assertThat(evil.post("/v1/models/alpha/preload").status()).isEqualTo(403);
        }
        assertThat(f.store.loads()).as("nothing was loaded").isZero();

        for (String name : List.of("localhost:" + port, "LOCALHOST", "[::1]:" + port, "127.0.0.1", "10.0.0.7:" + port)) {
            assertThat(f.client.withHeader("Host", name).get("/v1/health").status()).as(name).isEqualTo(200);
        }
        // A request URI naming another host (the form a proxy is sent): Jetty refuses it when the Host differs, the guard when not.
        assertThat(f.client.raw("GET http://evil.example:" + port + "/v1/health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(f.client.raw("GET http://evil.example:" + port + "/v1/health HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 403");
        // HTTP/1.0 without Host (no browser sends it) is routed by the local address.
        assertThat(f.client.raw("GET /v1/health HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void shouldAnswerToTheConfiguredNames() {
        f = new Fixture(dir, Fixture.settings().withExposure(Fixture.settings().exposure().withAllowedHosts(List.of("preloader.preloader.svc"))),
                AccessJournal.NONE);

        assertThat(f.client.withHeader("Host", "preloader.preloader.svc:" + f.server.port()).get("/v1/models").status()).isEqualTo(200);
        assertThat(f.client.withHeader("Host", "preloader.other.svc").get("/v1/models").status()).isEqualTo(403);
    }

    @Test
    void shouldTakeChangesOnlyFromThisServersOwnOrigin() {
        f = new Fixture(dir);
        String self = "http://127.0.0.1:" + f.server.port();

        for (String origin : List.of("http://evil.example", "http://evil.example:" + f.server.port(), "null", "http://127.0.0.1:1",
                "https://127.0.0.1:" + f.server.port(), "http://localhost:" + f.server.port())) {
            Client.Response r = f.client.withHeader("Origin", origin).post("/v1/models/alpha/preload");
            assertThat(r.status()).as("Origin %s: %s", origin, r).isEqualTo(403);
            assertError(r);
        }
        assertThat(f.store.loads()).isZero();
        assertThat(f.client.withHeader("Origin", self).post("/v1/models/alpha/preload").status()).isIn(200, 202);

        // CORS stays off: no other origin is ever told it may read.
        Client.Response read = f.client.withHeader("Origin", "http://evil.example").get("/v1/models");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        Client cross = f.client.withHeader("Origin", "http://evil.example").withHeader("Access-Control-Request-Method", "POST");
        Client.Response preflight = cross.send(cross.request("/v1/models/alpha/preload").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void shouldSlowGuessesAtTheTokenButNeverTheValidOne() {
        f = new Fixture(dir);
        Client guesser = f.client.withToken("guess-0000000000000000");
        List<Integer> statuses = new ArrayList<>();

        for (int i = 0; i < 60; i++) {
            Client.Response r = guesser.get("/v1/models");
            statuses.add(r.status());
            if (r.status() == 429) {
                assertError(r);
                assertThat(r.header("Retry-After")).hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isPositive());
            }
            if (i % 10 == 9) {
                assertThat(f.client.get("/v1/models").status()).as("the admin token while guesses are refused").isEqualTo(200);
                assertThat(f.client.withToken(Fixture.READ_TOKEN).get("/v1/stats").status()).isEqualTo(200);
            }
        }

        assertThat(statuses.subList(0, FailedAttempts.BURST)).as("the first burst is answered").containsOnly(401);
        assertThat(statuses).containsOnly(401, 429);
        assertThat(statuses.stream().filter(s -> s == 429).count()).as("most of the rest is refused: %s", statuses).isGreaterThan(25);
        assertThat(f.client.post("/v1/models/alpha/preload").status()).isIn(200, 202);
        assertThat(f.client.withoutToken().get("/v1/models").status()).as("no token is no guess").isEqualTo(401);
    }

    @Test
    void shouldShowIpcHandlesWorkerCommandsAndOutputOnlyToTheAdmin() {
        Map<String, WorkerSpec> workers = Map.of("echo", new WorkerSpec(
                List.of("/bin/sh", "-c", "echo \"ready on $1\"; exec sleep 30", "sh", "{model}", "--api-key", SECRET),
                ReadinessProbe.line("^ready on "), Duration.ofSeconds(20)));
        f = new Fixture(dir, new ShellLauncher(), workers);
        Client reader = f.client.withToken(Fixture.READ_TOKEN);
        f.preload(ALPHA);

        Client.Response transfer = f.client.post("/v1/models/alpha/transfer", "{}");
        assertThat(transfer.json().get("handle").asText()).as("the caller of the transfer").startsWith("gated-ipc:");
        assertThat(f.client.get("/v1/transfers").json().at("/transfers/0/handle").asText()).startsWith("gated-ipc:");
        assertThat(reader.get("/v1/transfers").json().at("/transfers/0/handle").isNull()).isTrue();
        assertThat(reader.get("/v1/transfers/t1").json().get("handle").isNull()).isTrue();

        String status = f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}").json().get("status").asText();
        JsonNode ready = Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> f.client.get(status).json(),
                j -> j.get("state").asText().equals("ready"));
        assertThat(ready.get("command").toString()).contains("--api-key", "<hidden>").doesNotContain(SECRET);
        assertThat(f.client.get("/v1/workers").json().at("/workers/0/last_lines/0").asText()).startsWith("ready on ");
        JsonNode seenByReader = reader.get(status).json();
        assertThat(seenByReader.get("state").asText()).isEqualTo("ready");
        assertThat(seenByReader.get("command").isNull()).isTrue();
        assertThat(reader.get("/v1/workers").json().at("/workers/0/last_lines").isNull()).isTrue();
        assertThat(reader.get("/v1/spawns").body()).doesNotContain(SECRET).doesNotContain("ready on");
    }

    @Test
    void shouldHideSecretsInsideTheWorkersCommandLinesOfTheConfig() {
        f = new Fixture(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("workers", Map.of("server", Map.of("command", List.of("llama-server", "-m", "{model}", "--api-key", SECRET,
                "-H", "Authorization: Bearer " + SECRET + "-2", "--hf-token=" + SECRET + "-3", "--port", "8080"))));
        config.put("upstream", "https://user:" + SECRET + "-4@models.example/x");
        try (PreloaderHttpServer server = new PreloaderHttpServer(f.preloader, Fixture.settings(), config).start()) {
            for (String token : List.of(Fixture.TOKEN, Fixture.READ_TOKEN)) {
                Client.Response shown = new Client(server.uri(), java.util.Optional.of(token)).get("/v1/config");
                assertThat(shown.status()).isEqualTo(200);
                assertThat(shown.body()).doesNotContain(SECRET).contains("--api-key", "--port", "8080", "llama-server", "models.example")
                        .doesNotContain(token);
                assertThat(shown.json().at("/http/read_token").asText()).isEqualTo("<hidden>");
            }
        }
    }

    @Test
    void shouldFreeTheDeviceCopyWhenItsIpcExportFailsAndShowTheFailureOnThatCopyOnly() {
        f = new Fixture(dir);
        f.preload(ALPHA);
        assertThat(f.client.post("/v1/models/alpha/transfer", "{}").status()).isEqualTo(201);
        f.sink.failHandles("CUDA_ERROR_NOT_SUPPORTED (801)");

        // Not kept: freed at once, so it has no handle to make; nothing stays on the device.
        Client.Response measured = f.client.post("/v1/models/alpha/transfer", "{\"keep\": false}");
        assertThat(measured.status()).as(measured.toString()).isEqualTo(200);
        assertThat(measured.json().get("handle").isNull()).isTrue();
        assertThat(f.sink.liveAllocations()).as("only the first copy is held").isEqualTo(1);

        // Kept: held, its failed handle is its own error field, and the list still answers.
        Client.Response kept = f.client.post("/v1/models/alpha/transfer", "{}");
        assertThat(kept.status()).as(kept.toString()).isEqualTo(201);
        assertThat(kept.json().get("handle").isNull()).isTrue();
        assertThat(kept.json().get("handle_error").asText()).contains("cuIpcGetMemHandle failed", "801");
        Client.Response list = f.client.get("/v1/transfers");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("transfers")).hasSize(2).allSatisfy(t -> assertThat(t.get("handle_error").asText()).contains("801"));

        // Handles are made when asked for: once the export works, the list shows them.
        f.sink.failHandles(null);
        assertThat(f.client.get("/v1/transfers").json().get("transfers")).allSatisfy(t -> {
            assertThat(t.get("handle").asText()).startsWith("gated-ipc:");
            assertThat(t.get("handle_error").isNull()).isTrue();
        });
        assertThat(f.client.delete("/v1/transfers/t1").status()).isEqualTo(200);
        assertThat(f.client.delete("/v1/transfers/t2").status()).isEqualTo(200);
        assertThat(f.sink.liveAllocations()).isZero();
    }

    @Test
    void shouldServeOverTlsWithAGeneratedKeystoreOrPemFiles() throws IOException {
        for (String algorithm : List.of("EC", "RSA")) {
            TestCertificate cert = TestCertificate.make(Files.createDirectories(dir.resolve(algorithm)), algorithm);
            for (Tls tls : List.of(new Tls.Keystore(cert.keystore(), cert.password()), new Tls.Pem(cert.certPem(), cert.keyPem()))) {
                Path run = Files.createTempDirectory(dir, "tls");
                f = new Fixture(run, Fixture.settings().withExposure(Fixture.settings().exposure().withTls(tls)), AccessJournal.NONE);
                assertThat(f.server.uri().getScheme()).isEqualTo("https");
                Client https = f.client.overTls(cert.trustingIt());

                assertThat(https.withoutToken().get("/v1/health").status()).as("%s %s", algorithm, tls).isEqualTo(200);
                assertThat(https.get("/v1/models").json().get("models")).hasSize(4);
                assertThat(https.withoutToken().get("/v1/models").status()).isEqualTo(401);
                assertThat(https.withHeader("Host", "evil.example").get("/v1/health").status()).isEqualTo(403);
                Client plain = new Client(java.net.URI.create("http://127.0.0.1:" + f.server.port()), Fixture.token());
                assertThat(plainAnswer(plain)).as("plain HTTP on the TLS port").isNotEqualTo(200);
                f.close();
                f = null;
            }
        }
    }

    @Test
    void shouldRefuseTlsFilesItCannotUseOnOneLineNamingTheFile() throws IOException {
        TestCertificate ec = TestCertificate.make(Files.createDirectories(dir.resolve("ec")), "EC");
        TestCertificate other = TestCertificate.make(Files.createDirectories(dir.resolve("other")), "EC");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Map<Tls, String> bad = Map.of(
                new Tls.Pem(ec.certPem(), other.keyPem()), "does not belong to the certificate",
                new Tls.Pem(ec.certPem(), pkcs1), "it holds a RSA PRIVATE KEY",
                new Tls.Pem(ec.keyPem(), ec.keyPem()), "cannot be read as PEM certificates",
                new Tls.Pem(dir.resolve("missing.crt"), ec.keyPem()), "missing.crt",
                new Tls.Keystore(ec.keystore(), "wrong-password"), "cannot be read");
        try (Fixture fixture = new Fixture(Files.createDirectories(dir.resolve("models-dir")))) {
            bad.forEach((tls, message) -> assertThatThrownBy(() -> new PreloaderHttpServer(fixture.preloader,
                    Fixture.settings().withExposure(Fixture.settings().exposure().withTls(tls)), Map.of()))
                    .as(tls.toString()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(ec.password())));
        }
    }

    @Test
    void shouldRefuseToListenBeyondThisHostWithoutAToken() {
        f = new Fixture(dir);
        PreloaderHttpServer open = new PreloaderHttpServer(f.preloader, HttpSettings.defaults().withHost("0.0.0.0").withPort(0), Map.of());

        assertThatThrownBy(open::start).isInstanceOf(IllegalStateException.class)
                .hasMessage("refusing to listen on 0.0.0.0, beyond this host, without a token: " + Guard.TOKEN_HINT + ", or listen on 127.0.0.1");
        open.close();
    }

    private static int plainAnswer(Client plain) {
        try {
            return plain.get("/v1/health").status();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
