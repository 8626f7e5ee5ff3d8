package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.UnknownModelException;
import io.javalin.http.Context;

import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Route.delete;
import static io.hive.preloader.adapters.http.Route.get;
import static io.hive.preloader.adapters.http.Route.post;

/**
 * The models and their residency: the catalog with what the cache holds, and the calls that load (as jobs), pin,
 * unpin and evict one. Ids are validated before anything else is done with them ({@link ModelId} allows no path),
 * and a model is only ever named by the catalog's lookup.
 */
record ModelsResource(ModelPreloader preloader, PreloadJobs jobs, Spawns spawns) implements Resource {
    /** What {@code POST /v1/models/{id}/evict} answers. */
    record Evicted(String model, boolean evicted, String state) {
    }

    @Override
    public List<Route> routes() {
        return List.of(
                get("/v1/models", ctx -> ctx.json(Map.of("models", ModelView.all(preloader.catalog(), preloader.stats(), spawns.workers())))),
                get("/v1/models/{id}", ctx -> ctx.json(view(Route.modelId(ctx)))),
                post("/v1/models/{id}/preload", ctx -> startJob(ctx, PreloadJobs.Kind.PRELOAD)),
                post("/v1/models/{id}/pin", ctx -> startJob(ctx, PreloadJobs.Kind.PIN)),
                delete("/v1/models/{id}/pin", this::unpin),
                post("/v1/models/{id}/evict", this::evict));
    }

    /** 202 with the job to poll when a load was started (it may have ended already); 200 when the model was resident. */
    private void startJob(Context ctx, PreloadJobs.Kind kind) {
        ModelId id = Route.modelId(ctx);
        PreloadJobs.Job job = jobs.start(id, kind);
        boolean wasResident = job.loaded().map(l -> l.origin() == Origin.RAM).orElse(false);
        ctx.status(wasResident ? 200 : 202).header("Location", PreloadJobs.PATH + job.id()).json(job.view());
    }

    private void unpin(Context ctx) {
        ModelId id = known(preloader, Route.modelId(ctx));
        preloader.unpin(id);
        ctx.json(view(id));
    }

    private void evict(Context ctx) {
        ModelId id = known(preloader, Route.modelId(ctx));
        boolean evicted = preloader.evict(id);
        ctx.json(new Evicted(id.value(), evicted, ModelView.one(id, preloader.catalog(), preloader.stats())
                .map(ModelView::state).orElse(ModelView.ON_DISK)));
    }

    private ModelView view(ModelId id) {
        return ModelView.one(id, preloader.catalog(), preloader.stats(), spawns.workers()).orElseThrow(() -> new UnknownModelException(id));
    }

    /** The id when the catalog or the cache knows it; @throws UnknownModelException (404) otherwise */
    static ModelId known(ModelPreloader preloader, ModelId id) {
        if (!resident(preloader, id) && preloader.catalog().stream().noneMatch(d -> d.id().equals(id))) {
            throw new UnknownModelException(id);
        }
        return id;
    }

    static boolean resident(ModelPreloader preloader, ModelId id) {
        return preloader.stats().cache().entries().stream().anyMatch(e -> e.id().equals(id) && e.state() == CacheSnapshot.State.RESIDENT);
    }
}
