package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.ModelCache;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;

import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Replays a trace through core's real {@link ModelCache} (the cache behind the preloader: budget, admission,
 * eviction through the policy), one spawn after another, as the preloader's {@code get} does: a lease from RAM when
 * the model is resident (a hit), else admit and load it, then lease it (a miss, whose bytes count as read from
 * disk). Each lease is closed at once: the worker has its copy. Loads run on the calling thread, so a replay is
 * deterministic and takes seconds.
 */
public final class Replay {
    private Replay() {
    }

    /** What one policy did with one trace under one budget. */
    public record Result(String policy, long budget, int spawns, int hits, long bytesFromDisk, long evictions) {
        public double hitRate() {
            return spawns == 0 ? 0 : (double) hits / spawns;
        }
    }

    /** @param policy makes the policy for a budget in bytes (the Caffeine policy sizes its segments from it) */
    public static Result run(Trace trace, long budget, LongFunction<EvictionPolicy> policy) {
        EvictionPolicy chosen = policy.apply(budget);
        int hits = 0;
        long fromDisk = 0;
        long evictions;
        try (ModelCache cache = new ModelCache(new WeightlessStore(), chosen, new ByteBudget(budget), Runnable::run)) {
            for (ModelId id : trace.spawns()) {
                ModelDescriptor model = trace.models().get(id);
                Optional<Lease> resident = cache.lease(model, Origin.RAM);
                if (resident.isPresent()) {
                    hits++;
                    resident.get().close();
                    continue;
                }
                cache.admit(model, LoadProgress.NONE).join();
                fromDisk += model.size();
                cache.lease(model, Origin.DISK).orElseThrow(() -> new IllegalStateException(id + " not resident after its load")).close();
            }
            evictions = cache.snapshot().evictions();
        }
        return new Result(chosen.name(), budget, trace.spawns().size(), hits, fromDisk, evictions);
    }
}
