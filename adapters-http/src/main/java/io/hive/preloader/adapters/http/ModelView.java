package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.CatalogEntry;
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
 * One model as the API lists it: what the catalog knows (size, whether it can be served), what the cache holds (state,
 * resident bytes, pinned, leases, load time) and what the statistics counted (accesses, hits, misses, last access).
 * The figures of a view are of one version of the model only: of the copy its state describes when the cache holds
 * the file's current version, else of the file (nothing resident), never the new file's size beside the old copy's
 * bytes.
 *
 * @param state       {@code resident}, {@code loading}, {@code draining} (evicted, waiting for its last lease),
 *                    {@code releasing} (being freed, still charged), {@code release_failed}, {@code replacing} (its file
 *                    was replaced on disk and the new version is being checked or loaded), {@code invalid} (its file is
 *                    not a whole, valid model: {@code error} says why), or {@code on_disk}
 * @param error       why the model cannot be served, as a load of it would be refused; null when it can
 * @param inCatalog   false for a model still resident whose file is gone from the models folders
 * @param loadSeconds how long the resident copy took to load
 * @param workers     the running workers using the model: those holding a lease on it (they keep it resident and
 *                    charged), and {@code uncached} ones that read the file themselves, hold nothing and are not
 *                    counted in the budget
 */
record ModelView(String id, String state, long size, long residentBytes, boolean pinned, int leases, long accesses, long hits,
                 long misses, long evictions, String lastAccess, Double loadSeconds, Double lastLoadFromDiskSeconds,
                 Double lastOpenFromCacheSeconds, boolean inCatalog, String error, List<WorkerUse> workers) {

    static final String ON_DISK = "on_disk";
    static final String INVALID = "invalid";
    static final String REPLACING = "replacing";

    /** A worker using a model: its route ({@code resident}, {@code loaded}, {@code uncached}) and whether it holds a lease. */
    record WorkerUse(long pid, String route, boolean holdsLease) {
    }

    /** Every model of the catalog and every one the cache holds, resident ones first, then by id. */
    static List<ModelView> all(List<CatalogEntry> catalog, PreloaderStats stats) {
        return all(catalog, stats, List.of());
    }

    /** As {@link #all(List, PreloaderStats)}, with the workers the API started beside the models they use. */
    static List<ModelView> all(List<CatalogEntry> catalog, PreloaderStats stats, List<Spawns.WorkerView> running) {
        Map<ModelId, CatalogEntry> known = new LinkedHashMap<>();
        catalog.forEach(e -> known.put(e.id(), e));
        Map<ModelId, List<CacheSnapshot.Entry>> cached = new LinkedHashMap<>();
        stats.cache().entries().forEach(e -> cached.computeIfAbsent(e.id(), k -> new ArrayList<>()).add(e));
        Map<ModelId, ModelStats> counted = new LinkedHashMap<>();
        stats.models().forEach(m -> counted.put(m.id(), m));

        List<ModelId> ids = new ArrayList<>(known.keySet());
        cached.keySet().stream().filter(id -> !known.containsKey(id)).forEach(ids::add);
        return ids.stream()
                .map(id -> of(id, Optional.ofNullable(known.get(id)), cached.getOrDefault(id, List.of()), stats.replacing().contains(id),
                        Optional.ofNullable(counted.get(id)), workers(id, stats, running)))
                .sorted(Comparator.comparing((ModelView v) -> v.state().equals(ON_DISK) || v.state().equals(INVALID)).thenComparing(ModelView::id))
                .toList();
    }

    /** One model, from its own catalog entry; empty when neither the catalog nor the cache knows it. */
    static Optional<ModelView> one(ModelId id, Optional<CatalogEntry> entry, PreloaderStats stats, List<Spawns.WorkerView> running) {
        return all(entry.stream().toList(), stats, running).stream().filter(v -> v.id().equals(id.value())).findFirst();
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

    /**
     * The copy the view shows: of a model whose file is gone, the one that serves best; else the copy of the file's
     * current version, if the cache holds one. Copies of an older version are not shown: their figures are not the
     * model's any more.
     */
    private static Optional<CacheSnapshot.Entry> shown(Optional<CatalogEntry> file, List<CacheSnapshot.Entry> copies) {
        Optional<ModelDescriptor> current = file.flatMap(CatalogEntry::model);
        if (file.isEmpty()) {
            return copies.stream().min(Comparator.comparingInt(ModelView::rank));
        }
        return copies.stream().filter(e -> current.map(e.descriptor()::sameVersion).orElse(false)).min(Comparator.comparingInt(ModelView::rank));
    }

    private static String state(Optional<CatalogEntry> file, Optional<CacheSnapshot.Entry> shown, List<CacheSnapshot.Entry> copies,
                                boolean replacing) {
        if (replacing) {
            return REPLACING;
        }
        if (shown.isPresent()) {
            return Units.name(shown.get().state());
        }
        // An older version still held as if it served: the next use, or the watch, replaces (or drops) it.
        if (copies.stream().anyMatch(e -> e.state() == CacheSnapshot.State.RESIDENT || e.state() == CacheSnapshot.State.LOADING)) {
            return REPLACING;
        }
        return file.map(f -> !f.valid()).orElse(false) ? INVALID : ON_DISK;
    }

    private static ModelView of(ModelId id, Optional<CatalogEntry> file, List<CacheSnapshot.Entry> copies, boolean replacing,
                                Optional<ModelStats> counts, List<WorkerUse> workers) {
        Optional<CacheSnapshot.Entry> entry = shown(file, copies);
        long size = file.flatMap(CatalogEntry::model).map(ModelDescriptor::size).or(() -> entry.map(CacheSnapshot.Entry::bytes)).orElse(0L);
        return new ModelView(
                id.value(),
                state(file, entry, copies, replacing),
                size,
                entry.map(CacheSnapshot.Entry::residentBytes).orElse(0L),
                entry.map(CacheSnapshot.Entry::pinned).orElse(false) || copies.stream().anyMatch(CacheSnapshot.Entry::pinned),
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
                file.flatMap(CatalogEntry::error).orElse(null),
                workers);
    }
}
