package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Decides what leaves the cache. Every method runs under the cache's admission lock and only decides: a victim is
 * retired (no lease can be taken on it any more) and taken out of the index and the policy; freeing it is the
 * caller's business, after the lock. A model is evictable when it is resident, not pinned, and has no open lease;
 * the lease count can change under the lock (the hit path takes no lock), so a victim is retired with one
 * compare-and-set from "no lease", and a model leased meanwhile is simply not taken.
 */
final class Eviction {
    private final Map<ModelId, ResidentModel> index;
    private final Set<ModelId> pinned;
    private final EvictionPolicy policy;
    private final Ledger ledger;
    private final AccessBuffer<ResidentModel> accesses;
    private final Releaser releaser;
    final Predicate<ModelId> evictable = this::evictable;
    private final Consumer<ResidentModel> toPolicy = this::accessed;

    /** What {@link #trim} did: the victims, and a model the policy proposed that could not go (a policy bug). */
    record Trim(List<ResidentModel> victims, Optional<ModelId> refused) {
    }

    Eviction(Map<ModelId, ResidentModel> index, Set<ModelId> pinned, EvictionPolicy policy, Ledger ledger,
             AccessBuffer<ResidentModel> accesses, Releaser releaser) {
        this.index = index;
        this.releaser = releaser;
        this.pinned = pinned;
        this.policy = policy;
        this.ledger = ledger;
        this.accesses = accesses;
    }

    /** Hands the uses recorded on the hit path to the policy, dropping those of models no longer in the index. */
    void drainAccesses() {
        accesses.drainTo(toPolicy);
    }

    private void accessed(ResidentModel model) {
        ModelId id = model.descriptor.id();
        if (index.get(id) == model && !model.retired()) {
            policy.accessed(id);
        }
    }

    private boolean evictable(ModelId id) {
        ResidentModel m = index.get(id);
        return m != null && evictable(m);
    }

    private boolean evictable(ResidentModel m) {
        return candidate(m) && m.leases() == 0;
    }

    /** Evictable but for its leases, which the hit path changes without the lock: a leased one may be free soon. */
    private boolean candidate(ResidentModel m) {
        return !m.loading() && !m.retired() && !pinned.contains(m.descriptor.id());
    }

    /** How often a victim may turn out leased since the policy chose it before the search gives up: each is another. */
    private int patience() {
        return 2 * index.size() + 2;
    }

    /**
     * Retires models, by the policy's choice, until {@code model} fits in the room left in the budget plus
     * {@code coming}, and returns them; evicts nothing when it cannot fit. {@code coming} is what will be room
     * without evicting anything more: a stale copy of the model that goes (its bytes are the newcomer's) and the
     * bytes being freed now, less what admissions waiting before this one were promised of them; it is negative when
     * those promises exceed what is being freed.
     *
     * @throws BudgetExceededException when it cannot fit even after evicting every evictable model
     */
    List<ResidentModel> makeRoom(ModelDescriptor model, long coming) {
        long needed = model.size();
        long budget = ledger.budget();
        if (needed > budget) {
            throw new BudgetExceededException("cannot admit " + model.id() + ": it needs " + ByteSize.format(needed)
                    + ", more than the whole budget of " + ByteSize.format(budget));
        }
        long room = ledger.room() + coming;
        if (room >= needed) {
            return List.of();
        }
        long evictableBytes = index.values().stream().filter(this::evictable).mapToLong(ResidentModel::bytes).sum();
        if (room + evictableBytes < needed) {
            throw refusal(model, evictableBytes);
        }
        drainAccesses();
        List<ResidentModel> chosen = new ArrayList<>();
        try {
            for (int leasedMeanwhile = 0; room < needed; ) {
                Optional<ModelId> proposed = policy.victim(evictable);
                if (proposed.isEmpty() || leasedMeanwhile > patience()) {
                    throw refusal(model, 0); // leases were taken meanwhile on what was evictable
                }
                ResidentModel victim = index.get(proposed.get());
                if (victim == null || !candidate(victim)) {
                    throw new IllegalStateException("eviction policy " + policy.name() + " proposed " + proposed.get()
                            + ", which is not evictable");
                }
                if (victim.retireIfUnleased()) {
                    chosen.add(victim);
                    room += victim.bytes();
                } else {
                    leasedMeanwhile++; // leased since the policy looked: ask again, the predicate now says no
                }
            }
        } catch (RuntimeException | Error failure) {
            chosen.forEach(ResidentModel::unretire);
            throw failure;
        }
        chosen.forEach(this::remove);
        // Not counted as being freed: their bytes are the admission's from now on.
        chosen.forEach(releaser::takenOver);
        return chosen;
    }

    private BudgetExceededException refusal(ModelDescriptor model, long evictableBytes) {
        return new BudgetExceededException("cannot admit " + model.id() + " (" + ByteSize.format(model.size()) + "): budget "
                + ByteSize.format(ledger.budget()) + ", " + ByteSize.format(ledger.charged()) + " in use of which only "
                + ByteSize.format(evictableBytes) + " is evictable (the rest is pinned, loading or leased)");
    }

    /**
     * Retires models, by the policy's choice, until what will be charged once the releases under way are done fits
     * the budget, or nothing evictable is left. A model the policy proposes that cannot go ends the trim: it is
     * never evicted on the policy's word alone.
     */
    Trim trim() {
        drainAccesses();
        List<ResidentModel> victims = new ArrayList<>();
        for (int leasedMeanwhile = 0; ledger.excess() > 0 && leasedMeanwhile <= patience(); ) {
            Optional<ModelId> proposed = policy.victim(evictable);
            if (proposed.isEmpty()) {
                break;
            }
            ResidentModel victim = index.get(proposed.get());
            if (victim == null || !candidate(victim)) {
                return new Trim(victims, proposed);
            }
            if (victim.retireIfUnleased()) {
                remove(victim);
                victims.add(releaser.owned(victim));
            } else {
                leasedMeanwhile++;
            }
        }
        return new Trim(victims, Optional.empty());
    }

    /** Takes a model out of the index and the policy, and counts the eviction when it was resident. */
    void remove(ResidentModel model) {
        ModelId id = model.descriptor.id();
        index.remove(id, model);
        if (!model.loading()) {
            policy.removed(id);
            ledger.evicted();
        }
    }
}
