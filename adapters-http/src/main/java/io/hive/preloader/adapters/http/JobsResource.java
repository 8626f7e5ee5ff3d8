package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.ModelStats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.hive.preloader.adapters.http.Route.get;

/** The preload jobs to poll, and the ones a daemon starts for itself when it comes up. */
final class JobsResource implements Resource {
    private static final System.Logger LOG = System.getLogger(JobsResource.class.getName());

    private final ModelPreloader preloader;
    private final PreloadJobs jobs;

    JobsResource(ModelPreloader preloader, PreloadJobs jobs) {
        this.preloader = preloader;
        this.jobs = jobs;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                get("/v1/jobs", ctx -> ctx.json(Map.of("jobs", jobs.recent().stream().map(PreloadJobs.Job::view).toList()))),
                get("/v1/jobs/{job}", ctx -> {
                    long id = Route.number(ctx, "job", "a job id");
                    ctx.json(jobs.get(id).orElseThrow(() -> ApiException.notFound("no job " + id + " (jobs are kept for the last "
                            + History.KEEP + " preloads)")).view());
                }));
    }

    /**
     * What a daemon does when it starts: pins and loads the kept models, then preloads the {@code count} others the
     * access journal counts most, each as a job; ids the catalog does not know are reported, not loaded.
     */
    PreloaderHttpServer.Startup startup(List<ModelId> keep, int count) {
        Set<ModelId> catalog = preloader.catalog().stream().map(ModelDescriptor::id).collect(Collectors.toSet());
        List<ModelId> kept = new ArrayList<>();
        List<ModelId> unknown = new ArrayList<>();
        for (ModelId id : keep) {
            if (!catalog.contains(id)) {
                unknown.add(id);
            } else if (launch(id, PreloadJobs.Kind.PIN)) {
                kept.add(id);
            }
        }
        List<ModelId> chosen = count <= 0 ? List.of() : preloader.stats().mostAccessed(Integer.MAX_VALUE).stream()
                .filter(m -> m.accesses() > 0 && catalog.contains(m.id()) && !keep.contains(m.id()))
                .limit(count)
                .map(ModelStats::id)
                .toList();
        List<ModelId> mostUsed = new ArrayList<>();
        for (ModelId id : chosen) {
            if (launch(id, PreloadJobs.Kind.AUTO)) {
                mostUsed.add(id);
            }
        }
        return new PreloaderHttpServer.Startup(kept, mostUsed, unknown);
    }

    private boolean launch(ModelId id, PreloadJobs.Kind kind) {
        try {
            jobs.start(id, kind);
            return true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "startup preload of {0} failed: {1}", id, Errors.answer(e).message());
            return false;
        }
    }
}
