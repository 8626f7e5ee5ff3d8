package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.service.ModelPreloader;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Route.delete;
import static io.hive.preloader.adapters.http.Route.get;
import static io.hive.preloader.adapters.http.Route.post;

/** Leases the server holds for workers (as {@code l1, l2, …}): a handoff says where a worker finds a resident model's bytes. */
record LeasesResource(ModelPreloader preloader, Holdings<Lease> leases, PreloaderMetrics metrics) implements Resource {
    /**
     * How a worker reaches a model: a lease the server holds for it until released, and where the bytes are.
     *
     * @param kind {@code page_cache_file} (map or read {@code path}: its pages are resident), {@code shared_file}
     *             (map {@code path}), or {@code private_memory} (only a transfer reaches the bytes)
     */
    record HandoffView(String lease, String model, String kind, String path, long size, long residentBytes, String origin,
                       String hint, String since) {
    }

    /** Where the bytes are, by the kind of handoff. */
    private record Where(String kind, String path, String hint) {
    }

    @Override
    public List<Route> routes() {
        return List.of(
                post("/v1/models/{id}/handoff", this::handoff),
                get("/v1/leases", ctx -> ctx.json(Map.of("leases", leases.list().stream().map(this::view).toList()))),
                get("/v1/leases/{lease}", ctx -> ctx.json(view(leases.get(ctx.pathParam("lease"))))),
                delete("/v1/leases/{lease}", ctx -> ctx.json(leases.release(ctx.pathParam("lease"), Lease::id))));
    }

    private void handoff(Context ctx) {
        ModelId id = Route.modelId(ctx);
        long start = System.nanoTime();
        Lease lease = preloader.open(id).orElseThrow(() -> new ApiException(409, id + " is not resident: POST /v1/models/" + id
                + "/preload and wait for its job to be done, then ask for the handoff again"));
        metrics.loaded(false, Duration.ofNanos(System.nanoTime() - start));
        Holdings.Held<Lease> held = leases.hold(lease).orElseThrow(() -> new ApiException(503, "the server is shutting down"));
        ctx.status(201).header("Location", "/v1/leases/" + held.id()).json(view(held));
    }

    private HandoffView view(Holdings.Held<Lease> held) {
        Lease lease = held.value();
        String model = lease.id().value();
        long resident = preloader.stats().cache().entries().stream().filter(e -> e.id().equals(lease.id()))
                .mapToLong(CacheSnapshot.Entry::residentBytes).max().orElse(0L);
        Where where = switch (lease.handoff()) {
            case Handoff.PageCacheFile f -> new Where("page_cache_file", f.file().toString(),
                    "map or read this file: its pages are resident in the page cache");
            case Handoff.SharedFile f -> new Where("shared_file", f.file().toString(), "map this shared-memory file: it holds the model's bytes");
            case Handoff.PrivateMemory p -> new Where("private_memory", null,
                    "the bytes are private to the preloader: POST /v1/models/" + model + "/transfer copies them to a device");
        };
        return new HandoffView(held.id(), model, where.kind(), where.path(), lease.descriptor().size(), resident,
                Units.name(lease.origin()), where.hint(), held.since().toString());
    }
}
