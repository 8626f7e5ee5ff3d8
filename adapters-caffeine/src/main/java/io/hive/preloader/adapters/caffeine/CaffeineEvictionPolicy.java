package io.hive.preloader.adapters.caffeine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Ranks resident models with Caffeine's W-TinyLFU and proposes the coldest evictable one: a small LRU window for
 * newcomers, a segmented LRU for the rest, and a count-min sketch of how often each model was used (counts that
 * outlive an eviction and halve with age), so that a one-off model passing through is dropped before a model used
 * every hour, and a model popular last week does not stay forever.
 *
 * <p>Caffeine is only the ranking here. Its size bound is advisory; the hard budget stays in core's
 * {@code ModelCache}, which calls this policy only under its admission lock. Uses reach it late, in batches the
 * cache drains from its lock-free buffer (all of them before each {@link #victim} call, a few dropped under
 * contention): each is a read in Caffeine, whose own read buffer then orders them. This policy never lets Caffeine evict on its
 * own: the bound is kept at least as large as what is resident, so that Caffeine's entries are exactly the resident
 * models. The bound still matters: W-TinyLFU sizes its window and protected segments from it. Give it the cache's
 * budget.
 *
 * <p>Models are weighed in MiB, rounded up: Caffeine's weights are {@code int}s, which bytes would overflow past
 * 2 GiB.
 */
public final class CaffeineEvictionPolicy implements EvictionPolicy {
    static final long UNIT = 1L << 20;

    private final Cache<ModelId, Integer> ranking;
    private final Policy.Eviction<ModelId, Integer> eviction;
    /** The weight in MiB of every resident model; Caffeine's entries mirror its keys. */
    private final Map<ModelId, Integer> resident = new HashMap<>();
    /** Models admitted whose first access is yet to come: the request that loaded them, not a second use. */
    private final Set<ModelId> admittedUnread = new HashSet<>();
    private long residentUnits;
    private boolean counting;

    /**
     * @param budgetBytes the budget of the cache this policy ranks for: sizes W-TinyLFU's segments; the ranking
     *                    grows past it when more is resident (a budget raised later), never evicting on its own
     */
    public CaffeineEvictionPolicy(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("budget must be positive, got " + budgetBytes + " bytes");
        }
        this.ranking = Caffeine.newBuilder()
                .maximumWeight(units(budgetBytes))
                .weigher((ModelId id, Integer units) -> units)
                .executor(Runnable::run) // maintenance on the calling thread: the ranking is up to date when asked
                .build();
        this.eviction = ranking.policy().eviction().orElseThrow();
    }

    /** Bytes in whole MiB, rounded up; at least one, since Caffeine treats a weight of zero as never evictable. */
    static int units(long bytes) {
        long units = Math.max(1, Math.ceilDiv(bytes, UNIT));
        if (units > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(bytes + " bytes is more than Caffeine can weigh, even in MiB");
        }
        return (int) units;
    }

    @Override
    public String name() {
        return "caffeine";
    }

    @Override
    public void admitted(ModelId id, long bytes) {
        int units = units(bytes);
        Integer previous = resident.put(id, units);
        residentUnits += units - (previous == null ? 0 : previous);
        if (residentUnits > eviction.getMaximum()) {
            eviction.setMaximum(residentUnits); // never let Caffeine drop a model the cache still holds
        }
        if (counting) {
            ranking.put(id, units); // counted once in the sketch, as Caffeine counts a miss that loads
        } else {
            startCounting(id, units);
        }
        admittedUnread.add(id);
    }

    /**
     * Caffeine starts its frequency sketch, and records reads at all, only once its entries weigh half its maximum.
     * A preloader may run half empty for hours and should learn meanwhile which models are popular: the first
     * admission is made with the maximum lowered to exactly what is then resident, which starts the sketch without
     * evicting anything, and the maximum is put back.
     */
    private void startCounting(ModelId id, int units) {
        long maximum = eviction.getMaximum();
        eviction.setMaximum(residentUnits);
        ranking.put(id, units);
        ranking.cleanUp();
        eviction.setMaximum(maximum);
        counting = true;
    }

    /**
     * A use of a resident model. The first access after {@link #admitted} is skipped: the cache leases a model it
     * has just loaded for the very request that loaded it, and counting that twice would promote every one-off to
     * W-TinyLFU's protected segment on arrival.
     */
    @Override
    public void accessed(ModelId id) {
        if (admittedUnread.remove(id)) {
            return;
        }
        ranking.getIfPresent(id); // a read: counted in the sketch, and moves the model up its segment
    }

    @Override
    public void removed(ModelId id) {
        admittedUnread.remove(id);
        Integer units = resident.remove(id);
        if (units != null) {
            residentUnits -= units;
        }
        ranking.invalidate(id); // the sketch keeps its count: a model evicted and asked for again is known
    }

    /** The coldest model by W-TinyLFU among those the cache may evict. */
    @Override
    public Optional<ModelId> victim(Predicate<ModelId> evictable) {
        ranking.cleanUp(); // apply pending reads, so the order reflects every access so far
        Optional<ModelId> coldest = eviction.coldest(entries -> entries.map(Map.Entry::getKey).filter(evictable).findFirst());
        if (coldest.isPresent()) {
            return coldest;
        }
        // Defensive: a resident model Caffeine does not hold (it should hold them all) is still a candidate.
        return resident.keySet().stream().filter(id -> !ranking.asMap().containsKey(id)).filter(evictable).findFirst();
    }
}
