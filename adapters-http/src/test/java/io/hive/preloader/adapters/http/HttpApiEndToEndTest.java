package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static io.hive.preloader.adapters.http.Fixture.ALPHA;
import static io.hive.preloader.adapters.http.Fixture.BETA;
import static io.hive.preloader.adapters.http.Fixture.GAMMA;
import static io.hive.preloader.adapters.http.Fixture.MIB;
import static org.assertj.core.api.Assertions.assertThat;

/** The real server on a free loopback port, driven by a real HTTP client through a model's life. */
class HttpApiEndToEndTest {
    @TempDir
    Path dir;

    private Fixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
            assertThat(f.sink.liveAllocations()).as("device memory left allocated").isZero();
            assertThat(f.store.liveRegions()).as("RAM regions left after the preloader closed").isZero();
        }
    }

    @Test
    void shouldDriveAModelThroughPreloadStatusTransferAndEvict() throws IOException {
        f = new Fixture(dir);
        Client c = f.client;
        assertThat(c.metric("preloader_resident_bytes")).isZero();
        assertThat(c.metric("preloader_budget_bytes")).isEqualTo(16.0 * MIB);
        assertThat(c.metric("preloader_load_seconds_count{source=\"disk\"}")).isZero();

        // preload: 202 at once with a job to poll, then done from disk
        Client.Response started = c.post("/v1/models/alpha/preload");
        assertThat(started.status()).as(started.toString()).isIn(200, 202);
        String status = started.json().get("status").asText();
        assertThat(started.header("Location")).contains(status);
        assertThat(started.json().get("model").asText()).isEqualTo("alpha");
        JsonNode job = f.awaitJob(status, "done").json();
        assertThat(job.get("origin").asText()).isEqualTo("disk");
        assertThat(job.get("bytes_total").asLong()).isEqualTo(3 * MIB);
        assertThat(job.get("error").isNull()).isTrue();

        // status: resident with its size, the others on disk
        JsonNode models = c.get("/v1/models").json().get("models");
        assertThat(names(models)).containsExactly("alpha", "beta", "gamma", "huge");
        JsonNode alpha = c.get("/v1/models/alpha").json();
        assertThat(alpha.get("state").asText()).isEqualTo("resident");
        assertThat(alpha.get("size").asLong()).isEqualTo(3 * MIB);
        assertThat(alpha.get("resident_bytes").asLong()).isEqualTo(3 * MIB);
        assertThat(alpha.get("pinned").asBoolean()).isFalse();
        assertThat(alpha.get("load_seconds").asDouble()).isPositive();
        assertThat(c.get("/v1/models/beta").json().get("state").asText()).isEqualTo("on_disk");
        assertThat(c.metric("preloader_resident_bytes")).isEqualTo(3.0 * MIB);
        assertThat(c.metric("preloader_load_seconds_count{source=\"disk\"}")).isEqualTo(1);

        // transfer to device 0, checked by a read-back: the bytes on the "device" are the file's
        Client.Response transfer = c.post("/v1/models/alpha/transfer", "{\"device\": 0, \"checksum\": true}");
        assertThat(transfer.status()).as(transfer.toString()).isEqualTo(201);
        JsonNode copy = transfer.json();
        assertThat(copy.get("id").asText()).isEqualTo("t1");
        assertThat(transfer.header("Location")).hasValue("/v1/transfers/t1");
        assertThat(copy.get("bytes").asLong()).isEqualTo(3 * MIB);
        assertThat(copy.get("gigabytes_per_second").asDouble()).isPositive();
        assertThat(copy.get("origin").asText()).isEqualTo("ram");
        assertThat(copy.get("crc32c").asText()).matches("[0-9a-f]{8}");
        assertThat(copy.get("handle").asText()).startsWith("gated-ipc:0:");
        MemorySegment onDevice = f.sink.lastCopyOf(ALPHA);
        assertThat(onDevice.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(Files.readAllBytes(f.file(ALPHA)));
        assertThat(c.get("/v1/transfers").json().get("transfers").get(0).get("id").asText()).isEqualTo("t1");
        assertThat(c.metric("preloader_transfers_total")).isEqualTo(1);
        assertThat(c.metric("preloader_transfer_bytes_total")).isEqualTo(3.0 * MIB);
        assertThat(c.metric("preloader_transfer_time_seconds_count")).isEqualTo(1);
        assertThat(c.metric("preloader_transfer_last_bytes")).isEqualTo(3.0 * MIB);
        assertThat(c.metric("preloader_transfer_last_duration_seconds")).isPositive();
        assertThat(c.metric("preloader_cache_hits_total")).isEqualTo(1);

        // handoff: a lease held for a worker, naming the file whose pages are resident
        Client.Response handoff = c.post("/v1/models/alpha/handoff");
        assertThat(handoff.status()).as(handoff.toString()).isEqualTo(201);
        assertThat(handoff.json().get("kind").asText()).isEqualTo("page_cache_file");
        assertThat(handoff.json().get("path").asText()).isEqualTo(f.file(ALPHA).toString());
        assertThat(handoff.json().get("resident_bytes").asLong()).isEqualTo(3 * MIB);
        String lease = handoff.json().get("lease").asText();
        assertThat(c.get("/v1/models/alpha").json().get("leases").asInt()).isEqualTo(1);
        assertThat(c.get("/v1/leases/" + lease).json().get("model").asText()).isEqualTo("alpha");
        assertThat(c.delete("/v1/leases/" + lease).status()).isEqualTo(200);
        assertThat(c.get("/v1/models/alpha").json().get("leases").asInt()).isZero();
        assertThat(c.metric("preloader_load_seconds_count{source=\"cache\"}")).isEqualTo(1);
        assertThat(c.metric("preloader_model_accesses_total{model=\"alpha\"}")).isEqualTo(2);

        // evict: gone from RAM, counted, and the copy on the device is unaffected until released
        Client.Response evicted = c.post("/v1/models/alpha/evict");
        assertThat(evicted.status()).isEqualTo(200);
        assertThat(evicted.json().get("evicted").asBoolean()).isTrue();
        assertThat(evicted.json().get("state").asText()).isEqualTo("on_disk");
        assertThat(c.get("/v1/models/alpha").json().get("state").asText()).isEqualTo("on_disk");
        assertThat(c.metric("preloader_resident_bytes")).isZero();
        assertThat(c.metric("preloader_evictions_total")).isEqualTo(1);
        assertThat(c.post("/v1/models/alpha/evict").json().get("evicted").asBoolean()).as("evicting twice").isFalse();
        assertThat(f.sink.liveAllocations()).isEqualTo(1);
        assertThat(c.delete("/v1/transfers/t1").status()).isEqualTo(200);
        assertThat(f.sink.liveAllocations()).isZero();
        assertThat(c.delete("/v1/transfers/t1").status()).as("released twice").isEqualTo(404);

        // what happened, for the page
        JsonNode events = c.get("/v1/activity").json().get("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("kind").asText()).isEqualTo("transfer");
        assertThat(events.get(0).get("device").asInt()).isZero();
        assertThat(events.get(1).get("kind").asText()).isEqualTo("load");
        assertThat(events.get(1).get("origin").asText()).isEqualTo("disk");
        JsonNode stats = c.get("/v1/stats").json();
        assertThat(stats.get("transfers").asLong()).isEqualTo(1);
        assertThat(stats.get("bytes_transferred").asLong()).isEqualTo(3 * MIB);
        assertThat(stats.get("bytes_loaded_from_disk").asLong()).isEqualTo(3 * MIB);
        assertThat(stats.get("evictions").asLong()).isEqualTo(1);
        assertThat(stats.get("store").asText()).isEqualTo("file");
    }

    @Test
    void shouldTransferAModelThatIsNotResidentAndFreeACopyNotKept() {
        f = new Fixture(dir);

        Client.Response transfer = f.client.post("/v1/models/gamma/transfer", "{\"keep\": false}");

        assertThat(transfer.status()).as(transfer.toString()).isEqualTo(200);
        assertThat(transfer.json().get("held").asBoolean()).isFalse();
        assertThat(transfer.json().get("id").isNull()).isTrue();
        assertThat(transfer.json().get("origin").asText()).isEqualTo("disk");
        assertThat(transfer.json().get("bytes").asLong()).isEqualTo(MIB);
        assertThat(f.sink.liveAllocations()).isZero();
        assertThat(f.client.get("/v1/models/gamma").json().get("state").asText()).isEqualTo("resident");
    }

    @Test
    void shouldPinAModelAgainstEvictionUntilUnpinned() {
        f = new Fixture(dir);

        Client.Response pinned = f.client.post("/v1/models/beta/pin");
        assertThat(pinned.status()).as(pinned.toString()).isIn(200, 202);
        assertThat(pinned.json().get("kind").asText()).isEqualTo("pin");
        f.awaitJob(pinned.json().get("status").asText(), "done");
        assertThat(f.client.get("/v1/models/beta").json().get("pinned").asBoolean()).isTrue();
        assertThat(f.client.metric("preloader_models_pinned")).isEqualTo(1);

        Client.Response refused = f.client.post("/v1/models/beta/evict");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("pinned");

        Client.Response unpinned = f.client.delete("/v1/models/beta/pin");
        assertThat(unpinned.status()).isEqualTo(200);
        assertThat(unpinned.json().get("pinned").asBoolean()).isFalse();
        assertThat(f.client.post("/v1/models/beta/evict").json().get("evicted").asBoolean()).isTrue();
    }

    @Test
    void shouldSayWhyAPreloadFailed() {
        f = new Fixture(dir);
        f.store.failNext(GAMMA, new StoreException("reading gamma.gguf failed: input/output error (EIO)"));

        Client.Response started = f.client.post("/v1/models/gamma/preload");
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        JsonNode job = f.awaitJob(started.json().get("status").asText(), "failed").json();

        assertThat(job.get("error").asText()).contains("input/output error");
        assertThat(f.client.get("/v1/models/gamma").json().get("state").asText()).isEqualTo("on_disk");
        assertThat(f.client.metric("preloader_resident_bytes")).isZero();
    }

    @Test
    void shouldRefuseAModelLargerThanTheBudgetAtOnce() {
        f = new Fixture(dir);

        Client.Response refused = f.client.post("/v1/models/huge/preload");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("huge").contains("budget");
        assertThat(f.client.get("/v1/jobs").json().get("jobs")).isEmpty();
    }

    @Test
    void shouldAnswerAPreloadOfAResidentModelWithADoneJob() {
        f = new Fixture(dir);
        f.preload(BETA);

        Client.Response again = f.client.post("/v1/models/beta/preload");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("state").asText()).isEqualTo("done");
        assertThat(again.json().get("origin").asText()).isEqualTo("ram");
        assertThat(f.store.loads()).isEqualTo(1);
        assertThat(f.client.metric("preloader_load_seconds_count{source=\"cache\"}")).isEqualTo(1);
    }

    @Test
    void shouldPinTheKeptModelsAndPreloadTheModelsUsedMostAtStartup() {
        AccessJournal journal = new AccessJournal() {
            @Override
            public Map<ModelId, Long> read() {
                return Map.of(BETA, 40L, ALPHA, 30L, GAMMA, 25L, ModelId.of("removed"), 99L);
            }

            @Override
            public void write(Map<ModelId, Long> accessCounts) {
            }
        };
        f = new Fixture(dir, HttpSettings.defaults().withPort(0).withToken(Fixture.TOKEN), journal);

        PreloaderHttpServer.Startup startup = f.server.startup(List.of(GAMMA, ModelId.of("absent")), 2);

        assertThat(startup.kept()).containsExactly(GAMMA);
        assertThat(startup.mostUsed()).containsExactly(BETA, ALPHA);
        assertThat(startup.unknown()).containsExactly(ModelId.of("absent"));
        JsonNode jobs = f.client.get("/v1/jobs").json().get("jobs");
        assertThat(jobs).hasSize(3);
        assertThat(StreamSupport.stream(jobs.spliterator(), false).map(j -> j.get("model").asText() + ":" + j.get("kind").asText()))
                .containsExactly("alpha:auto", "beta:auto", "gamma:pin");
        for (JsonNode job : jobs) {
            f.awaitJob(job.get("status").asText(), "done");
        }
        assertThat(f.client.get("/v1/models/gamma").json().get("pinned").asBoolean()).isTrue();
        assertThat(f.client.get("/v1/models/beta").json().get("pinned").asBoolean()).isFalse();
        assertThat(f.client.metric("preloader_model_accesses_total{model=\"beta\"}")).isEqualTo(40);
        assertThat(f.server.startup(List.of(), 0).mostUsed()).isEmpty();
    }

    @Test
    void shouldShowTheConfigInForceWithSecretsHidden() {
        f = new Fixture(dir);
        String secret = "s3cr3t-value-that-must-not-leak";
        try (PreloaderHttpServer other = new PreloaderHttpServer(f.preloader, HttpSettings.defaults().withPort(0).withToken(Fixture.TOKEN),
                Map.of("store", "file", "cuda", Map.of("api_token", secret, "devices", List.of(0, 1)), "password", secret)).start()) {
            Client.Response config = new Client(other.uri(), Fixture.token()).get("/v1/config");

            assertThat(config.status()).isEqualTo(200);
            assertThat(config.body()).doesNotContain(secret).doesNotContain(Fixture.TOKEN);
            JsonNode json = config.json();
            assertThat(json.get("password").asText()).isEqualTo("<hidden>");
            assertThat(json.get("cuda").get("api_token").asText()).isEqualTo("<hidden>");
            assertThat(json.get("cuda").get("devices")).hasSize(2);
            assertThat(json.get("http").get("token").asText()).isEqualTo("<hidden>");
            assertThat(json.get("http").get("host").asText()).isEqualTo("127.0.0.1");
            assertThat(json.get("http").get("port").asInt()).isEqualTo(other.port()).isPositive();
        }
    }

    @Test
    void shouldDescribeEveryEndpointInTheOpenApiDocument() {
        f = new Fixture(dir);

        JsonNode doc = f.client.get("/v1/openapi.json").json();

        assertThat(doc.get("openapi").asText()).startsWith("3.");
        List<String> documented = new ArrayList<>();
        doc.get("paths").properties().forEach(p -> p.getValue().properties().stream()
                .filter(op -> !op.getKey().equals("parameters"))
                .forEach(op -> documented.add(op.getKey().toUpperCase() + " " + p.getKey())));
        List<String> served = f.server.routes().stream().map(r -> r.method().name() + " " + r.path()).toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(served);
        // Every documented error answer is the one error shape.
        doc.get("paths").properties().forEach(p -> p.getValue().properties().stream()
                .filter(op -> !op.getKey().equals("parameters"))
                .forEach(op -> op.getValue().get("responses").properties().stream()
                        .filter(r -> r.getKey().startsWith("4") || r.getKey().startsWith("5"))
                        .forEach(r -> assertThat(r.getValue().at("/content/application~1json/schema/$ref").asText())
                                .as("%s %s %s", op.getKey(), p.getKey(), r.getKey()).isEqualTo("#/components/schemas/Error"))));
        // Every documented schema has exactly the fields the server writes (or reads).
        Map<String, Class<? extends Record>> schemas = Map.ofEntries(Map.entry("Model", ModelView.class),
                Map.entry("Job", PreloadJobs.View.class), Map.entry("Transfer", TransfersResource.TransferView.class),
                Map.entry("TransferRequest", TransfersResource.TransferRequest.class), Map.entry("Handoff", LeasesResource.HandoffView.class),
                Map.entry("Event", RecentActivity.Event.class), Map.entry("Spawn", Spawns.View.class), Map.entry("Worker", Spawns.WorkerView.class),
                Map.entry("SpawnRequest", SpawnsResource.SpawnBody.class), Map.entry("Stats", StatsResource.StatsView.class),
                Map.entry("Released", Holdings.Released.class), Map.entry("History", HistoryResource.View.class),
                Map.entry("HistoryPoint", StatsHistory.Point.class));
        schemas.forEach((name, type) -> {
            List<String> fields = new ArrayList<>();
            doc.at("/components/schemas/" + name + "/properties").fieldNames().forEachRemaining(fields::add);
            List<String> written = java.util.Arrays.stream(type.getRecordComponents())
                    .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT)).toList();
            assertThat(fields).as("schema %s", name).containsExactlyInAnyOrderElementsOf(written);
        });
    }

    @Test
    void shouldServeTheJvmAndProcessMemoryMetrics() {
        f = new Fixture(dir);

        String metrics = f.client.get("/metrics").body();

        assertThat(metrics).contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "process_uptime_seconds",
                "process_resident_memory_bytes", "preloader_cache_hit_ratio", "preloader_load_seconds_bucket{source=\"disk\"");
        assertThat(f.client.metric("process_resident_memory_bytes")).isGreaterThan(MIB);
        // Micrometer's names that promtool flags are gone; the CPU time is in seconds, as Prometheus's clients name it
        assertThat(metrics).doesNotContain("process_cpu_time_ns", "system_cpu_count", "gigabytes").contains("system_cpus ");
        assertThat(f.client.metric("process_cpu_seconds_total")).isPositive();
    }

    private static List<String> names(JsonNode models) {
        return StreamSupport.stream(models.spliterator(), false).map(m -> m.get("id").asText()).toList();
    }
}
