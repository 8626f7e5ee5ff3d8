package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;
import io.javalin.http.Context;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static io.hive.preloader.adapters.http.Route.delete;
import static io.hive.preloader.adapters.http.Route.get;
import static io.hive.preloader.adapters.http.Route.post;

/** Workers started on a model, only those the configuration names: their spawns to poll, and the ones running. */
record SpawnsResource(ModelPreloader preloader, Optional<SpawnFlow> spawner, Map<String, WorkerSpec> workers, Spawns spawns)
        implements Resource {
    /** {@code POST /v1/models/{id}/spawn}'s body: the name of a configured worker, never a command. */
    record SpawnBody(String worker) {
        static final SpawnBody EMPTY = new SpawnBody(null);
    }

    /** What {@code DELETE /v1/workers/{pid}} answers; no exit code when the worker is still exiting. */
    record Stopped(long stopped, String model, String worker, Integer exitCode) {
    }

    SpawnsResource {
        workers = Map.copyOf(workers);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                post("/v1/models/{id}/spawn", this::spawn),
                get("/v1/spawns", ctx -> ctx.json(Map.of("spawns", spawns.recent().stream().map(s -> s.view().shownTo(Caller.of(ctx))).toList()))),
                get("/v1/spawns/{spawn}", ctx -> {
                    long id = Route.number(ctx, "spawn", "a spawn id");
                    ctx.json(spawns.get(id).orElseThrow(() -> new ApiException(404, "no spawn " + id + " (spawns are kept for the last "
                            + History.KEEP + " starts)")).view().shownTo(Caller.of(ctx)));
                }),
                get("/v1/workers", ctx -> ctx.json(Map.of("workers", spawns.workers().stream().map(w -> w.shownTo(Caller.of(ctx))).toList()))),
                delete("/v1/workers/{pid}", this::stop));
    }

    /**
     * Starts a configured worker on the model, on a thread of its own: 202 with the spawn to poll. The body names the
     * worker; its command comes from the configuration only.
     */
    private void spawn(Context ctx) {
        ModelId id = Route.modelId(ctx);
        String name = Json.read(RequestBody.of(ctx), SpawnBody.class, SpawnBody.EMPTY).worker();
        if (name == null || name.isBlank()) {
            throw new ApiException(400, "the body must name a configured worker: {\"worker\": \"NAME\"}" + configured());
        }
        WorkerSpec spec = workers.get(name);
        if (spec == null || spawner.isEmpty()) {
            throw new ApiException(404, "no worker " + Errors.quoted(name) + " is configured" + configured());
        }
        ModelsResource.servable(preloader, id);
        Spawns.Spawn spawn = spawns.start(spawner.get(), id, name, spec)
                .orElseThrow(() -> new ApiException(503, "the server is shutting down"));
        ctx.status(202).header("Location", Spawns.PATH + spawn.id()).json(spawn.view());
    }

    private String configured() {
        return workers.isEmpty() || spawner.isEmpty() ? " (the config's workers: section names none)"
                : "; configured: " + workers.keySet().stream().sorted().collect(Collectors.joining(", "));
    }

    private void stop(Context ctx) throws InterruptedException {
        long pid = Route.number(ctx, "pid", "a pid");
        Spawns.Spawn spawn = spawns.worker(pid).orElseThrow(() -> new ApiException(404, "no worker with pid " + pid
                + " was started through the API, or it has exited"));
        Optional<Integer> exit = spawns.stop(spawn);
        ctx.json(new Stopped(pid, spawn.view().model(), spawn.view().worker(), exit.orElse(null)));
    }
}
