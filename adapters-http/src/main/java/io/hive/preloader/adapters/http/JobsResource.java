package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.StartupPreload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Route.get;

/** The preload jobs to poll, and the ones a daemon starts for itself when it comes up. */
record JobsResource(ModelPreloader preloader, PreloadJobs jobs) implements Resource {
    private static final System.Logger LOG = System.getLogger(JobsResource.class.getName());

    @Override
    public List<Route> routes() {
        return List.of(
                get("/v1/jobs", ctx -> ctx.json(Map.of("jobs", jobs.recent().stream().map(PreloadJobs.Job::view).toList()))),
                get("/v1/jobs/{job}", ctx -> {
                    long id = Route.number(ctx, "job", "a job id");
                    ctx.json(jobs.get(id).orElseThrow(() -> new ApiException(404, "no job " + id + " (jobs are kept for the last "
                            + History.KEEP + " preloads)")).view());
                }));
    }

    /**
     * What a daemon does when it starts, as {@link StartupPreload} plans it: pins and loads the kept models, then
     * preloads the {@code count} others the access journal counts most, each as a job; unknown ids are reported, not loaded.
     */
    PreloaderHttpServer.Startup startup(List<ModelId> keep, int count) {
        StartupPreload.Plan plan = new StartupPreload(keep, Math.max(0, count)).plan(preloader);
        return new PreloaderHttpServer.Startup(launch(plan.keep(), PreloadJobs.Kind.PIN), launch(plan.mostUsed(), PreloadJobs.Kind.AUTO),
                plan.unknown());
    }

    /** Starts a job for each model; @return the models whose job started */
    private List<ModelId> launch(List<ModelId> models, PreloadJobs.Kind kind) {
        List<ModelId> started = new ArrayList<>();
        for (ModelId id : models) {
            try {
                jobs.start(id, kind);
                started.add(id);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "startup preload of {0} failed: {1}", id, Errors.answer(e).message());
            }
        }
        return started;
    }
}
