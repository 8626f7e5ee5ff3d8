package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hive.preloader.core.service.ModelPreloader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;

import static io.hive.preloader.adapters.http.Fixture.ALPHA;
import static io.hive.preloader.adapters.http.Fixture.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /v1/history} on the real server: the sampler's points after a load and a transfer, and its thread's life. */
class HistoryApiTest {
    @TempDir
    Path dir;

    @Test
    void shouldShowTheLoadAndTheTransferInTheLastMinutes() {
        String samplerThread;
        try (Fixture f = new Fixture(dir)) {
            samplerThread = f.server.samplerThread();
            awaitPoints(f.client, h -> h.get("points").size() >= 1);
            f.preload(ALPHA);
            Client.Response transfer = f.client.post("/v1/models/alpha/transfer", "{\"keep\": false}");
            assertThat(transfer.status()).as(transfer.toString()).isEqualTo(200);

            JsonNode history = awaitPoints(f.client, h -> sum(h, "loaded_bytes") == 3 * MIB && sum(h, "transferred_bytes") == 3 * MIB);

            assertThat(history.get("interval_seconds").asDouble()).isEqualTo(2.0);
            assertThat(history.get("window_seconds").asDouble()).isEqualTo(600.0);
            List<JsonNode> points = StreamSupport.stream(history.get("points").spliterator(), false).toList();
            assertThat(points).extracting(p -> Instant.parse(p.get("at").asText())).isSorted();
            JsonNode last = points.getLast();
            assertThat(last.get("resident_bytes").asLong()).isEqualTo(3 * MIB);
            assertThat(last.get("budget_bytes").asLong()).isEqualTo(16 * MIB);
            // Every access since start is in exactly one interval: the first sample was taken before any.
            JsonNode stats = f.client.get("/v1/stats").json();
            assertThat(sum(history, "hits")).isEqualTo(stats.get("hits").asLong()).isPositive();
            assertThat(sum(history, "misses")).isEqualTo(stats.get("misses").asLong());
            // The interval's GB/s are the load's and the copy's own: their bytes over their own time, as the activity shows each.
            JsonNode events = f.client.get("/v1/activity").json().get("events");
            assertThat(rateWhere(points, "loaded_bytes", "load_gigabytes_per_second"))
                    .isEqualTo(events.get(1).get("gigabytes_per_second").asDouble()).isPositive();
            assertThat(rateWhere(points, "transferred_bytes", "transfer_gigabytes_per_second"))
                    .isEqualTo(events.get(0).get("gigabytes_per_second").asDouble()).isPositive();
            // The only access was the transfer of the resident model, a hit: one interval with a rate, and it is 100 %.
            assertThat(points.stream().filter(p -> !p.get("hit_rate").isNull()).map(p -> p.get("hit_rate").asDouble())).containsExactly(1.0);
            assertThat(points.getFirst().get("hit_rate").isNull()).as("the first sample has no interval").isTrue();
            assertThat(threadAlive(samplerThread)).isTrue();
        }
        assertThat(threadAlive(samplerThread)).as("the sampling thread after the server closed").isFalse();
    }

    @Test
    void shouldSampleOnItsOwnThreadNeverOnARequest() {
        try (Fixture f = new Fixture(dir)) {
            List<String> callers = new CopyOnWriteArrayList<>();
            ModelPreloader watched = (ModelPreloader) Proxy.newProxyInstance(ModelPreloader.class.getClassLoader(),
                    new Class<?>[]{ModelPreloader.class}, (proxy, method, args) -> {
                        if (method.getName().equals("stats")) {
                            callers.add(Thread.currentThread().getName());
                        }
                        try {
                            return method.invoke(f.preloader, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            try (PreloaderHttpServer server = new PreloaderHttpServer(watched, Fixture.settings(), Map.of()).start()) {
                Client client = new Client(server.uri(), Optional.of(Fixture.READ_TOKEN));
                awaitPoints(client, h -> h.get("points").size() >= 2);
                callers.clear();
                for (int i = 0; i < 20; i++) {
                    assertThat(client.get("/v1/history").status()).isEqualTo(200);
                }
                awaitPoints(client, h -> !callers.isEmpty());

                assertThat(callers).containsOnly(server.samplerThread());
            }
        }
    }

    private static JsonNode awaitPoints(Client client, java.util.function.Predicate<JsonNode> until) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.get("/v1/history").json(), until::test);
    }

    private static long sum(JsonNode history, String field) {
        return StreamSupport.stream(history.get("points").spliterator(), false).mapToLong(p -> p.get(field).asLong()).sum();
    }

    private static double rateWhere(List<JsonNode> points, String bytes, String rate) {
        JsonNode point = points.stream().filter(p -> p.get(bytes).asLong() > 0).findFirst().orElseThrow();
        assertThat(point.get(bytes).asLong()).isEqualTo(3 * MIB);
        return point.get(rate).asDouble();
    }

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }
}
