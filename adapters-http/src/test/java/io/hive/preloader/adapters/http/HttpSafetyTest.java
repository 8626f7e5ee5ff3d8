package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hive.preloader.core.port.AccessJournal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Fixture.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules that keep the API safe to run beside a hive, each checked with hostile input against the real server. */
class HttpSafetyTest {
    /** Spellings of "leave the models folder": plain, encoded, double-encoded, mixed case, backslashes, NUL, absolute. */
    private static final List<String> TRAVERSALS = List.of(
            "..%2F..%2Fetc%2Fpasswd",
            "..%2f..%2fetc%2fpasswd",
            "%2e%2e%2fsecret",
            "%2E%2E%2Fsecret",
            "..%5C..%5Csecret",
            "%2Fetc%2Fpasswd",
            "..",
            "..%2F",
            "secret%00.gguf",
            "%252e%252e%252fsecret",
            ".hidden",
            "a..b",
            "white%20space");

    @TempDir
    Path dir;

    private Fixture f;

    @BeforeEach
    void start() throws IOException {
        f = new Fixture(dir);
        // A model outside the folder: no spelling of its id may reach it.
        Files.write(dir.resolve("secret.gguf"), "TOP SECRET".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void shouldRefuseStateChangesWithoutTheToken() {
        Client anonymous = f.client.withoutToken();
        List<Client.Response> refused = List.of(
                anonymous.post("/v1/models/alpha/preload"),
                anonymous.post("/v1/models/alpha/pin"),
                anonymous.delete("/v1/models/alpha/pin"),
                anonymous.post("/v1/models/alpha/evict"),
                anonymous.post("/v1/models/alpha/transfer", "{}"),
                anonymous.post("/v1/models/alpha/handoff"),
                anonymous.delete("/v1/transfers/t1"),
                anonymous.delete("/v1/leases/l1"),
                f.client.withToken("wrong-token-0123456789abcdef").post("/v1/models/alpha/preload"),
                f.client.withToken(Fixture.TOKEN + "x").post("/v1/models/alpha/preload"),
                anonymous.send(anonymous.request("/v1/models/alpha/preload").header("Authorization", "Basic " + Fixture.TOKEN)
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody())));

        for (Client.Response r : refused) {
            assertThat(r.status()).as(r.toString()).isEqualTo(401);
            assertError(r);
            assertThat(r.header("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
        assertThat(f.store.loads()).as("nothing was loaded").isZero();
        assertThat(f.sink.liveAllocations()).isZero();
        // The read token reads, but changes nothing.
        Client reader = f.client.withToken(Fixture.READ_TOKEN);
        assertThat(reader.get("/v1/models").status()).isEqualTo(200);
        Client.Response byReader = reader.post("/v1/models/alpha/preload");
        assertThat(byReader.status()).as(byReader.toString()).isEqualTo(403);
        assertError(byReader);
        assertThat(f.store.loads()).isZero();
    }

    @Test
    void shouldRefuseEveryStateChangeWhenNoTokenIsConfigured(@TempDir Path other) {
        try (Fixture open = new Fixture(other, HttpSettings.defaults().withPort(0), AccessJournal.NONE)) {
            Client.Response r = open.client.post("/v1/models/alpha/preload");

            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().get("error").asText()).contains("no token is configured", "PRELOADER_TOKEN");
            assertThat(open.store.loads()).isZero();
        }
    }

    @Test
    void shouldRefuseTraversalIdsWithoutReadingAFile() {
        for (String id : TRAVERSALS) {
            for (Client.Response r : List.of(f.client.get("/v1/models/" + id), f.client.post("/v1/models/" + id + "/preload"),
                    f.client.post("/v1/models/" + id + "/transfer", "{}"), f.client.post("/v1/models/" + id + "/handoff"))) {
                assertThat(r.status()).as(id + " -> " + r).isIn(400, 404);
                assertError(r);
                assertThat(r.body()).doesNotContain("TOP SECRET");
            }
        }
        // The encoded forms are named for what they are: invalid, not merely unknown.
        for (String id : List.of("..%2F..%2Fetc%2Fpasswd", "%2e%2e%2fsecret", "..%5C..%5Csecret", "%2Fetc%2Fpasswd", "..%2F")) {
            assertThat(f.client.post("/v1/models/" + id + "/preload").status()).as(id).isEqualTo(400);
        }
        assertThat(f.store.loads()).as("no load was even attempted").isZero();
        assertThat(f.client.get("/v1/jobs").json().get("jobs")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/models/../../etc/passwd", "/v1/models/alpha/../../../secret.gguf", "/v1/../../secret.gguf"})
    void shouldRefuseDotDotSegmentsInThePath(String path) {
        Client.Response r = f.client.get(path);

        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertError(r);
    }

    @Test
    void shouldAnswer404ForUnknownModelsAndThings() {
        List<Client.Response> missing = List.of(
                f.client.get("/v1/models/nope"),
                f.client.post("/v1/models/nope/preload"),
                f.client.post("/v1/models/nope/pin"),
                f.client.delete("/v1/models/nope/pin"),
                f.client.post("/v1/models/nope/evict"),
                f.client.post("/v1/models/nope/transfer", "{}"),
                f.client.post("/v1/models/nope/handoff"),
                f.client.get("/v1/jobs/999"),
                f.client.get("/v1/transfers/t9"),
                f.client.delete("/v1/leases/l9"),
                f.client.get("/v1/nothing-here"),
                f.client.get("/favicon.ico"));
        for (Client.Response r : missing) {
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertError(r);
        }
        assertThat(f.client.get("/v1/models/nope").json().get("error").asText()).contains("unknown model 'nope'");
        assertThat(f.store.loads()).isZero();
    }

    @Test
    void shouldAnswer400ForMalformedInput() {
        List<Client.Response> bad = List.of(
                f.client.post("/v1/models/alpha/transfer", "{"),
                f.client.post("/v1/models/alpha/transfer", "{\"device\": \"zero\"}"),
                f.client.post("/v1/models/alpha/transfer", "{\"device\": 0, \"unexpected\": 1}"),
                f.client.post("/v1/models/alpha/transfer", "[1, 2]"),
                f.client.post("/v1/models/alpha/transfer", "{\"device\": -1}"),
                f.client.post("/v1/models/alpha/transfer", "{\"plan\": \"teleport\"}"),
                f.client.get("/v1/jobs/abc"),
                f.client.get("/v1/jobs/-1"),
                f.client.get("/v1/transfers/x1"),
                f.client.delete("/v1/leases/l0"),
                f.client.get("/v1/activity?limit=1000"),
                f.client.get("/v1/models/" + "a".repeat(200)));
        for (Client.Response r : bad) {
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertError(r);
        }
        assertThat(f.sink.liveAllocations()).isZero();
    }

    @Test
    void shouldRefuseOversizedBodiesWith413() {
        String big = "{\"device\": 0, \"pad\": \"" + "x".repeat(70_000) + "\"}";

        Client.Response declared = f.client.post("/v1/models/alpha/transfer", big);
        Client.Response chunked = f.client.postChunked("/v1/models/alpha/transfer", 200_000);

        assertThat(declared.status()).as(declared.toString()).isEqualTo(413);
        assertError(declared);
        assertThat(declared.json().get("error").asText()).contains("65536");
        assertThat(chunked.status()).as(chunked.toString()).isEqualTo(413);
        assertError(chunked);
        assertThat(f.store.loads()).isZero();
        assertThat(f.sink.liveAllocations()).isZero();
    }

    @Test
    void shouldAnswerJettysOwnErrorsAsJsonToo() throws IOException {
        Client.Response headers = f.client.send(f.client.request("/v1/models").header("X-Padding", "p".repeat(20_000)).GET());
        assertThat(headers.status()).isEqualTo(431);
        assertError(headers);

        // A request line no HTTP client would send.
        String raw = f.client.raw("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 400");
        assertThat(raw).contains("application/json").contains("{\"error\":");
        assertThat(raw).doesNotContain("<html").doesNotContain(".java:");
    }

    @Test
    void shouldBindToLoopbackByDefault() throws IOException {
        assertThat(HttpSettings.defaults().host()).isEqualTo("127.0.0.1");
        assertThat(f.server.uri().getHost()).isEqualTo("127.0.0.1");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
            assertThat(s.isConnected()).isTrue();
        }
    }

    @Test
    void shouldNameTheAddressWhenItCannotListen() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PreloaderHttpServer server = new PreloaderHttpServer(f.preloader, HttpSettings.defaults().withPort(taken.getLocalPort()), Map.of());

            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void shouldNeverAnswerWithAStackTrace() {
        f.store.failNext(Fixture.GAMMA, new IllegalStateException("boom\n\tat some.Frame(Frame.java:1)"));
        Client.Response transfer = f.client.post("/v1/models/gamma/transfer", "{}");

        assertThat(transfer.status()).isGreaterThanOrEqualTo(400);
        assertError(transfer);
        assertThat(f.client.get("/v1/models").body()).doesNotContain(".java:");
        assertThat(f.client.get("/v1/models/alpha").json().get("size").asLong()).isEqualTo(3 * MIB);
    }

    /** An error answer: JSON with exactly one field, {@code error}, one line, and no trace of the code. */
    static void assertError(Client.Response r) {
        assertThat(r.header("Content-Type")).as(r.toString()).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode json = r.json();
        assertThat(json.isObject()).isTrue();
        assertThat(json.size()).as(r.toString()).isEqualTo(1);
        String message = json.get("error").asText();
        assertThat(message).isNotBlank().doesNotContain("\n").doesNotContain(".java:").doesNotContain("\tat ");
    }

    /**
     * A small body whose last bytes come a moment after its first (a client writing it in two pieces, Nagle's
     * algorithm, a busy host) has arrived in full by the time it is read to its end: it is read, not refused.
     */
    @Test
    void shouldReadASmallBodyWhoseLastBytesArriveAMomentAfterItsFirst() throws Exception {
        String body = "{\"device\": 0, \"keep\": false}";
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
            s.setSoTimeout(30_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("POST /v1/models/gamma/transfer HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Fixture.TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                    + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(150);
            out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"bytes\":" + MIB);
        }
    }

    /** A body dripping in slower than the minimum rate is cut off with 408 (a thread is not held for as long as it drips). */
    @Test
    void shouldCutOffABodyThatArrivesSlowerThanTheMinimumRate() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port())) {
            s.setSoTimeout(30_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("POST /v1/models/gamma/transfer HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + Fixture.TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            java.io.InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            try {
                for (int i = 0; i < 40 && in.available() == 0; i++) {
                    Thread.sleep(200);
                    out.write("          ".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (java.net.SocketException closed) {
                // The server closed the connection after answering: what it answered is still to be read.
            }
            answer.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));

            assertThat(answer.toString()).startsWith("HTTP/1.1 408").contains("application/json", "{\"error\":");
        }
        assertThat(f.sink.liveAllocations()).isZero();
    }

    @Test
    void shouldKeepServingOthersWhileSlowClientsHoldConnectionsOpen() throws Exception {
        // Slow clients: each opens a connection, sends half a request line and stalls, as a slowloris attack does.
        List<Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), f.server.port());
                s.getOutputStream().write("POST /v1/models/alpha/preload HTTP/1.1\r\nHost: localhost\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }

            // Everyone else is still served, reads and writes alike.
            for (int i = 0; i < 5; i++) {
                assertThat(f.client.get("/v1/health").status()).isEqualTo(200);
            }
            assertThat(f.client.post("/v1/models/alpha/preload").status()).isIn(200, 202);
            assertThat(f.client.get("/v1/models/alpha").status()).isEqualTo(200);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }
}
