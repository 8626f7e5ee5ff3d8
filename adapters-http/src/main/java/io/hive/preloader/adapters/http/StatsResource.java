package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.PreloaderStats;
import io.javalin.http.Context;

import java.util.List;
import java.util.Map;

import static io.hive.preloader.adapters.http.Route.get;

/** What the preloader and this server counted: the statistics as JSON, the recent loads and transfers, the Prometheus text. */
record StatsResource(ModelPreloader preloader, PreloaderMetrics metrics, RecentActivity activity, PreloadJobs jobs, Holdings<?> copies,
                     Holdings<?> leases, Spawns spawns) implements Resource {
    /**
     * {@code GET /v1/stats}: the preloader's counters and cache, and what this server holds.
     *
     * @param storeReservedBytes what the store's resident models take as whole pages; null for a store whose models
     *                           take their own size
     */
    record StatsView(long hits, long misses, double hitRate, long bytesLoadedFromDisk, long transfers, long bytesTransferred,
                     long budgetBytes, long usedBytes, long residentBytes, long evictions, String store, Long storeReservedBytes, String policy,
                     long modelsResident, long modelsPinned, long jobsRunning, int transfersHeld, int leasesHeld,
                     int workersRunning) {
    }

    @Override
    public List<Route> routes() {
        return List.of(
                get("/v1/stats", ctx -> ctx.json(stats())),
                get("/v1/activity", this::activity),
                get("/metrics", ctx -> ctx.contentType(PreloaderMetrics.CONTENT_TYPE).result(metrics.scrape())));
    }

    private StatsView stats() {
        PreloaderStats s = preloader.stats();
        CacheSnapshot c = s.cache();
        return new StatsView(s.hits(), s.misses(), s.hitRate(), s.bytesLoadedFromDisk(), s.transfers(), s.bytesTransferred(),
                c.budgetBytes(), c.usedBytes(), c.residentBytes(), c.evictions(), c.store(),
                s.storeReservedBytes().isPresent() ? s.storeReservedBytes().getAsLong() : null, c.policy(),
                c.entries().stream().filter(e -> e.state() == CacheSnapshot.State.RESIDENT).count(),
                c.entries().stream().filter(CacheSnapshot.Entry::pinned).count(),
                jobs.running(), copies.size(), leases.size(), spawns.workers().size());
    }

    private void activity(Context ctx) {
        String raw = ctx.queryParam("limit");
        int limit = raw == null ? 20 : raw.matches("[0-9]{1,3}") ? Integer.parseInt(raw) : 0;
        if (limit < 1 || limit > RecentActivity.CAPACITY) {
            throw new ApiException(400, "limit must be a number from 1 to " + RecentActivity.CAPACITY);
        }
        ctx.json(Map.of("events", activity.recent(limit)));
    }
}
