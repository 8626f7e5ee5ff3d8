package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelStats;
import io.hive.preloader.core.service.PreloaderStats;
import io.hive.preloader.core.service.Spawned;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model as the API lists it: what the catalog knows (size), what the cache holds (state, resident bytes,
 * pinned, leases, load time) and what the statistics counted (accesses, hits, misses, last access).
 *
 * @param state       {@code resident}, {@code loading}, {@code draining} (evicted, waiting for its last lease),
 *                    {@code releasing} (being freed, still charged), {@code release_failed}, or {@code on_disk}
 * @param inCatalog   false for a model still resident whose file is gone from the models folders
 * @param loadSeconds how long the resident copy took to load
 * @param workers     the running workers using the model: those holding a lease on it (they keep it resident and
 *                    charged), and {@code uncached} ones that read the file themselves, hold nothing and are not
 *                    counted in the budget
 */
record ModelView(String id, String state, long size, long residentBytes, boolean pinned, int leases, long accesses, long hits,
                 long misses, long evictions, String lastAccess, Double loadSeconds, Double lastLoadFromDiskSeconds,
                 Double lastOpenFromCacheSeconds, boolean inCatalog, List<WorkerUse> workers) {

    static final String ON_DISK = "on_disk";

    /** A worker using a model: its route ({@code resident}, {@code loaded}, {@code uncached}) and whether it holds a lease. */
    record WorkerUse(long pid, String route, boolean holdsLease) {
    }

    /** Every model of the catalog and every one the cache holds, resident ones first, then by id. */
    static List<ModelView> all(List<ModelDescriptor> catalog, PreloaderStats stats) {
        return all(catalog, stats, List.of());
    }

    /** As {@link #all(List, PreloaderStats)}, with the workers the API started beside the models they use. */
    static List<ModelView> all(List<ModelDescriptor> catalog, PreloaderStats stats, List<Spawns.WorkerView> running) {
        Map<ModelId, ModelDescriptor> known = new LinkedHashMap<>();
        catalog.forEach(d -> known.put(d.id(), d));
        Map<ModelId, CacheSnapshot.Entry> cached = new LinkedHashMap<>();
        for (CacheSnapshot.Entry e : stats.cache().entries()) {
            // A model replaced on disk may be held twice (the old copy draining): show the one that serves.
            cached.merge(e.id(), e, (a, b) -> rank(a) <= rank(b) ? a : b);
        }
        Map<ModelId, ModelStats> counted = new LinkedHashMap<>();
        stats.models().forEach(m -> counted.put(m.id(), m));

        List<ModelId> ids = new ArrayList<>(known.keySet());
        cached.keySet().stream().filter(id -> !known.containsKey(id)).forEach(ids::add);
        return ids.stream()
                .map(id -> of(id, Optional.ofNullable(known.get(id)), Optional.ofNullable(cached.get(id)), Optional.ofNullable(counted.get(id)),
                        workers(id, stats, running)))
                .sorted(Comparator.comparing((ModelView v) -> v.state().equals(ON_DISK)).thenComparing(ModelView::id))
                .toList();
    }

    static Optional<ModelView> one(ModelId id, List<ModelDescriptor> catalog, PreloaderStats stats) {
        return one(id, catalog, stats, List.of());
    }

    static Optional<ModelView> one(ModelId id, List<ModelDescriptor> catalog, PreloaderStats stats, List<Spawns.WorkerView> running) {
        return all(catalog, stats, running).stream().filter(v -> v.id().equals(id.value())).findFirst();
    }

    /** The pids whose leases hold any copy of the model, then the API's uncached workers on it. */
    private static List<WorkerUse> workers(ModelId id, PreloaderStats stats, List<Spawns.WorkerView> running) {
        String uncached = Units.name(Spawned.Route.UNCACHED);
        Map<Long, String> routes = new LinkedHashMap<>();
        running.stream().filter(w -> w.model().equals(id.value())).forEach(w -> routes.put(w.pid(), w.route()));
        List<WorkerUse> uses = new ArrayList<>();
        stats.cache().entries().stream().filter(e -> e.id().equals(id)).flatMap(e -> e.workers().stream()).distinct()
                .forEach(pid -> uses.add(new WorkerUse(pid, routes.getOrDefault(pid, "leased"), true)));
        running.stream().filter(w -> w.model().equals(id.value()) && uncached.equals(w.route()))
                .forEach(w -> uses.add(new WorkerUse(w.pid(), uncached, false)));
        return uses;
    }

    private static int rank(CacheSnapshot.Entry e) {
        return switch (e.state()) {
            case RESIDENT -> 0;
            case LOADING -> 1;
            case DRAINING -> 2;
            case RELEASING -> 3;
            case RELEASE_FAILED -> 4;
        };
    }

    private static ModelView of(ModelId id, Optional<ModelDescriptor> file, Optional<CacheSnapshot.Entry> entry, Optional<ModelStats> counts,
                                List<WorkerUse> workers) {
        long size = file.map(ModelDescriptor::size).or(() -> entry.map(CacheSnapshot.Entry::bytes)).orElse(0L);
        return new ModelView(
                id.value(),
                entry.map(e -> Units.name(e.state())).orElse(ON_DISK),
                size,
                entry.map(CacheSnapshot.Entry::residentBytes).orElse(0L),
                entry.map(CacheSnapshot.Entry::pinned).orElse(false),
                entry.map(CacheSnapshot.Entry::leases).orElse(0),
                counts.map(ModelStats::accesses).orElse(0L),
                counts.map(ModelStats::hits).orElse(0L),
                counts.map(ModelStats::misses).orElse(0L),
                counts.map(ModelStats::evictions).orElse(0L),
                counts.flatMap(ModelStats::lastAccess).map(Instant::toString).orElse(null),
                entry.filter(e -> e.loadNanos() > 0).map(e -> e.loadNanos() / 1e9).orElse(null),
                counts.flatMap(ModelStats::lastLoadFromDisk).map(Units::seconds).orElse(null),
                counts.flatMap(ModelStats::lastOpenFromCache).map(Units::seconds).orElse(null),
                file.isPresent(),
                workers);
    }
}
