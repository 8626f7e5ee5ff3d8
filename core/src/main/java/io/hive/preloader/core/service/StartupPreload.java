package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What a long-running preloader does when it starts: it pins the models to keep (never evicted, like Ollama's
 * {@code keep_alive: -1}), which loads them, and preloads the {@code autoPreload} models used most by the access
 * journal's counts, besides those.
 *
 * @param keep        models to keep resident for good, in this order
 * @param autoPreload how many of the most used other models to preload
 */
public record StartupPreload(List<ModelId> keep, int autoPreload) {
    private static final System.Logger LOG = System.getLogger(StartupPreload.class.getName());

    public StartupPreload {
        keep = List.copyOf(new LinkedHashSet<>(keep));
        if (autoPreload < 0) {
            throw new IllegalArgumentException("autoPreload must be 0 or more, got " + autoPreload);
        }
    }

    /** The models chosen, nothing loaded yet: the kept ones that exist, and the most used others (only those used at all). */
    public record Plan(List<ModelId> keep, List<ModelId> mostUsed, List<ModelId> unknown) {
        public Plan {
            keep = List.copyOf(keep);
            mostUsed = List.copyOf(mostUsed);
            unknown = List.copyOf(unknown);
        }
    }

    public Plan plan(ModelPreloader preloader) {
        Set<ModelId> known = new LinkedHashSet<>(preloader.catalog().stream().map(ModelDescriptor::id).toList());
        List<ModelId> kept = keep.stream().filter(known::contains).toList();
        List<ModelId> unknown = keep.stream().filter(id -> !known.contains(id)).toList();
        List<ModelId> mostUsed = new ArrayList<>();
        if (autoPreload > 0) {
            for (ModelStats stats : preloader.stats().mostAccessed(Integer.MAX_VALUE)) {
                if (mostUsed.size() < autoPreload && stats.accesses() > 0 && known.contains(stats.id()) && !kept.contains(stats.id())) {
                    mostUsed.add(stats.id());
                }
            }
        }
        return new Plan(kept, mostUsed, unknown);
    }

    /**
     * Starts the loads and returns at once: the kept models pinned first, then the most used ones preloaded. A kept
     * model that no source has is logged and skipped; failed loads are logged and their futures fail.
     *
     * @return each chosen model's load, in the order they were started
     */
    public Map<ModelId, CompletableFuture<Loaded>> start(ModelPreloader preloader) {
        Plan plan = plan(preloader);
        plan.unknown().forEach(id -> LOG.log(System.Logger.Level.WARNING, "keep: no model {0} in the configured sources", id));
        Map<ModelId, CompletableFuture<Loaded>> loads = new LinkedHashMap<>();
        plan.keep().forEach(id -> loads.put(id, logged(id, "keeping", () -> preloader.pin(id))));
        plan.mostUsed().forEach(id -> loads.put(id, logged(id, "auto-preloading", () -> preloader.preload(id))));
        return loads;
    }

    private static CompletableFuture<Loaded> logged(ModelId id, String what, Supplier<CompletableFuture<Loaded>> start) {
        CompletableFuture<Loaded> load;
        try {
            load = start.get();
        } catch (RuntimeException e) { // the file went away since the plan was made
            load = CompletableFuture.failedFuture(e);
        }
        return load.whenComplete((loaded, failure) -> {
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "{0} {1} failed: {2}", what, id, failure.getMessage());
            }
        });
    }
}
