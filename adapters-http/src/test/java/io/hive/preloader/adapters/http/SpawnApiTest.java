package io.hive.preloader.adapters.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.hive.preloader.core.port.ReadinessProbe;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/models/{id}/spawn} end to end: the real server, a real child process, only configured workers. */
class SpawnApiTest {
    private static final Map<String, WorkerSpec> WORKERS = Map.of(
            "echo", new WorkerSpec(List.of("/bin/sh", "-c", "echo \"ready on $1\"; exec sleep 30", "sh", "{model}"),
                    ReadinessProbe.line("^ready on "), Duration.ofSeconds(20)),
            "broken", new WorkerSpec(List.of("/bin/sh", "-c", "echo 'error loading model'; exit 3"),
                    ReadinessProbe.line("ready"), Duration.ofSeconds(20)));

    @TempDir
    Path dir;
    private Fixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void shouldStartAConfiguredWorkerListItAndStopIt() {
        f = new Fixture(dir, new ShellLauncher(), WORKERS);

        Client.Response started = f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}");

        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String status = started.json().get("status").asText();
        assertThat(started.header("Location")).contains(status);
        JsonNode ready = awaitSpawn(status, "ready");
        assertThat(ready.get("route").asText()).isEqualTo("loaded");
        assertThat(ready.get("worker").asText()).isEqualTo("echo");
        assertThat(ready.get("to_ready_seconds").asDouble()).isPositive();
        assertThat(ready.get("command").get(4).asText()).as("{model} replaced by the path").isEqualTo(f.file(Fixture.ALPHA).toString());
        long pid = ready.get("pid").asLong();
        assertThat(ProcessHandle.of(pid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        JsonNode workers = f.client.get("/v1/workers").json().get("workers");
        assertThat(workers).hasSize(1);
        assertThat(workers.get(0).get("pid").asLong()).isEqualTo(pid);
        assertThat(workers.get(0).get("model").asText()).isEqualTo("alpha");
        assertThat(workers.get(0).get("last_lines").get(0).asText()).startsWith("ready on ");

        // Resident now: the fast path.
        JsonNode second = awaitSpawn(f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}").json().get("status").asText(), "ready");
        assertThat(second.get("route").asText()).isEqualTo("resident");
        assertThat(f.client.get("/v1/workers").json().get("workers")).hasSize(2);

        assertThat(f.client.withoutToken().delete("/v1/workers/" + pid).status()).isEqualTo(401);
        Client.Response stopped = f.client.delete("/v1/workers/" + pid);
        assertThat(stopped.status()).as(stopped.toString()).isEqualTo(200);
        assertThat(stopped.json().get("stopped").asLong()).isEqualTo(pid);
        assertThat(stopped.json().get("exit_code").isNull()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(f.client.get("/v1/workers").json().get("workers")).hasSize(1);
        assertThat(f.client.delete("/v1/workers/" + pid).status()).as("already stopped").isEqualTo(404);
        assertThat(f.client.delete("/v1/workers/abc").status()).isEqualTo(400);

        // A graceful shutdown stops the rest.
        long other = second.get("pid").asLong();
        f.close();
        f = null;
        assertThat(ProcessHandle.of(other).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void shouldRefuseToEvictAModelWhileItsWorkerRunsAndShowWhoUsesEachModel() {
        f = new Fixture(dir, new ShellLauncher(), WORKERS);
        long pid = awaitSpawn(f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}").json().get("status").asText(), "ready")
                .get("pid").asLong();
        // huge is past the whole budget: its worker reads the file itself, holding nothing.
        long uncached = awaitSpawn(f.client.post("/v1/models/huge/spawn", "{\"worker\": \"echo\"}").json().get("status").asText(), "ready")
                .get("pid").asLong();

        Client.Response refused = f.client.post("/v1/models/alpha/evict");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("error").asText()).contains("worker pid " + pid);

        JsonNode alpha = model("alpha");
        assertThat(alpha.get("state").asText()).isEqualTo("resident");
        assertThat(alpha.get("leases").asInt()).isEqualTo(1);
        assertThat(alpha.get("workers")).hasSize(1);
        assertThat(alpha.get("workers").get(0).get("pid").asLong()).isEqualTo(pid);
        assertThat(alpha.get("workers").get(0).get("holds_lease").asBoolean()).isTrue();
        assertThat(alpha.get("workers").get(0).get("route").asText()).isEqualTo("loaded");
        JsonNode huge = model("huge");
        assertThat(huge.get("state").asText()).isEqualTo("on_disk");
        assertThat(huge.get("workers")).hasSize(1);
        assertThat(huge.get("workers").get(0).get("pid").asLong()).isEqualTo(uncached);
        assertThat(huge.get("workers").get(0).get("route").asText()).isEqualTo("uncached");
        assertThat(huge.get("workers").get(0).get("holds_lease").asBoolean()).isFalse();
        assertThat(f.client.get("/v1/stats").json().get("used_bytes").asLong()).as("the uncached worker costs the budget nothing")
                .isEqualTo(3 * Fixture.MIB);

        assertThat(f.client.delete("/v1/workers/" + pid).status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> model("alpha").get("leases").asInt() == 0);
        Client.Response evicted = f.client.post("/v1/models/alpha/evict");
        assertThat(evicted.status()).as(evicted.toString()).isEqualTo(200);
        assertThat(evicted.json().get("evicted").asBoolean()).isTrue();
        assertThat(model("alpha").get("workers")).isEmpty();
    }

    private JsonNode model(String id) {
        Client.Response r = f.client.get("/v1/models/" + id);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void shouldReportAWorkerThatExitsBeforeItIsReady() {
        f = new Fixture(dir, new ShellLauncher(), WORKERS);

        JsonNode failed = awaitSpawn(f.client.post("/v1/models/gamma/spawn", "{\"worker\": \"broken\"}").json().get("status").asText(), "failed");

        assertThat(failed.get("exit_code").asInt()).isEqualTo(3);
        assertThat(failed.get("error").asText()).contains("exited with status 3 before it was ready");
        assertThat(failed.get("last_lines").get(0).asText()).isEqualTo("error loading model");
        assertThat(f.client.get("/v1/spawns").json().get("spawns")).hasSize(1);
        assertThat(f.client.get("/v1/workers").json().get("workers")).isEmpty();
    }

    @Test
    void shouldRunOnlyConfiguredWorkersAndOnlyWithTheToken() {
        f = new Fixture(dir, new ShellLauncher(), WORKERS);

        Client.Response unknown = f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"rm -rf /\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("no worker 'rm -rf /' is configured").contains("broken, echo");
        assertThat(f.client.post("/v1/models/alpha/spawn", "{\"command\": [\"/bin/true\"]}").status()).as("no command from a request").isEqualTo(400);
        assertThat(f.client.post("/v1/models/alpha/spawn").status()).isEqualTo(400);
        assertThat(f.client.withoutToken().post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}").status()).isEqualTo(401);
        assertThat(f.client.post("/v1/models/nope/spawn", "{\"worker\": \"echo\"}").status()).isEqualTo(404);
        assertThat(f.client.post("/v1/models/a%2e%2e/spawn", "{\"worker\": \"echo\"}").status()).isEqualTo(400);
        assertThat(f.client.get("/v1/spawns/7").status()).isEqualTo(404);
        assertThat(f.client.get("/v1/spawns/x").status()).isEqualTo(400);
        assertThat(f.client.get("/v1/spawns").json().get("spawns")).isEmpty();
    }

    @Test
    void shouldRefuseEveryWorkerWhenNoneIsConfigured() {
        f = new Fixture(dir);

        Client.Response refused = f.client.post("/v1/models/alpha/spawn", "{\"worker\": \"echo\"}");

        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.json().get("error").asText()).contains("names none");
    }

    /** Waits until the spawn has left {@code starting}, and checks it reached {@code state}. */
    private JsonNode awaitSpawn(String status, String state) {
        JsonNode spawn = Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> f.client.get(status), r -> r.status() == 200 && !r.json().get("state").asText().equals("starting"))
                .json();
        assertThat(spawn.get("state").asText()).as(spawn.toString()).isEqualTo(state);
        return spawn;
    }
}
