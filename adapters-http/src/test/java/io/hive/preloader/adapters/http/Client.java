package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client on the server's loopback address; paths are sent exactly as written (no normalising). */
final class Client {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final Optional<String> token;
    private final Map<String, String> headers;

    record Response(int status, String body, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + body;
        }
    }

    Client(URI base, Optional<String> token) {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), base, token, Map.of());
    }

    private Client(HttpClient http, URI base, Optional<String> token, Map<String, String> headers) {
        this.http = http;
        this.base = base;
        this.token = token;
        this.headers = headers;
    }

    /** A client over HTTPS that trusts what {@code ssl} trusts. */
    Client overTls(javax.net.ssl.SSLContext ssl) {
        return new Client(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(ssl).build(), base, token, headers);
    }

    Client withToken(String other) {
        return new Client(http, base, Optional.ofNullable(other), headers);
    }

    Client withoutToken() {
        return new Client(http, base, Optional.empty(), headers);
    }

    /**
     * This client sending a header on every request, {@code Host} included (the surefire configuration lets the JDK's
     * client set it, as a hostile page's browser would).
     */
    Client withHeader(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new Client(http, base, token, more);
    }

    Response get(String path) {
        return send(request(path).GET());
    }

    Response post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
    }

    Response post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    /** A body of {@code size} bytes sent chunked, with no Content-Length: the limit must hold while reading. */
    Response postChunked(String path, int size) {
        byte[] body = new byte[size];
        java.util.Arrays.fill(body, (byte) ' ');
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
    }

    CompletableFuture<Response> postAsync(String path, String json) {
        HttpRequest r = request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(res -> new Response(res.statusCode(), res.body(), res.headers()));
    }

    Response delete(String path) {
        return send(request(path).DELETE());
    }

    Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> res = http.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(res.statusCode(), res.body(), res.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        headers.forEach(b::header);
        return b;
    }

    /** One request written by hand to the server's port (what no HTTP client would send), and all it answers until it closes. */
    String raw(String request) {
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The value of one sample of the Prometheus text at /metrics, e.g. {@code preloader_load_seconds_count{source="disk"}}. */
    double metric(String sample) {
        String text = get("/metrics").body();
        return text.lines()
                .filter(l -> l.startsWith(sample + " "))
                .map(l -> Double.parseDouble(l.substring(sample.length()).strip().split(" ")[0]))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + sample + " in /metrics:\n" + text));
    }
}
