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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A real HTTP client on the server's loopback address; paths are sent exactly as written (no normalising). */
final class Client {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final Optional<String> token;

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
        this.base = base;
        this.token = token;
    }

    Client withToken(String other) {
        return new Client(base, Optional.ofNullable(other));
    }

    Client withoutToken() {
        return new Client(base, Optional.empty());
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
        return b;
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
