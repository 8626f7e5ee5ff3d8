package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.RamStore;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/** What the parts of one {@link ModelCache} share; each part's rules live in its own class. */
final class CacheState {
    final RamStore store;
    final EvictionPolicy policy;
    final Executor loader;
    /** Frees models nobody waits for (a last lease closed, the budget lowered) and samples residency. */
    final Executor background;
    final VersionCheck current;
    final Function<ModelDescriptor, ResidentModel> newEntry;
    /** Read by the hit path without a lock; changed only under {@link #lock}. */
    final ConcurrentHashMap<ModelId, ResidentModel> index = new ConcurrentHashMap<>();
    /** Changed only under {@link #lock}; read anywhere. */
    final Set<ModelId> pinned = ConcurrentHashMap.newKeySet();
    final Ledger ledger;
    final Releaser releaser;
    final ResidencySampler residency;
    final AccessBuffer<ResidentModel> accesses = new AccessBuffer<>(Runtime.getRuntime().availableProcessors());
    final Eviction eviction;
    /** Guarded by {@link #lock}. */
    final Waiting waiting = new Waiting();
    final Budgeting budgeting;
    final List<ModelCache.LoadListener> loadListeners = new CopyOnWriteArrayList<>();
    /**
     * The admission lock: admissions, evictions, pins, budget changes and the ledger's give-backs decide under it,
     * and the policy is called only under it (so a policy needs no lock of its own). Held for decisions only: no
     * load, release, listener, log line or file check runs under it. The hit path never waits for it: it only tries
     * it, to drain a full access buffer.
     */
    final ReentrantLock lock = new ReentrantLock();
    volatile boolean closed;

    CacheState(RamStore store, EvictionPolicy policy, ByteBudget budget, Executor loader, Executor background,
               VersionCheck current, Function<ModelDescriptor, ResidentModel> newEntry, long residencyIntervalNanos) {
        this.store = store;
        this.policy = policy;
        this.loader = loader;
        this.background = background;
        this.current = current;
        this.newEntry = newEntry;
        this.ledger = new Ledger(budget.bytes());
        this.budgeting = new Budgeting(this);
        this.releaser = new Releaser(ledger, background, budgeting::settle);
        this.residency = new ResidencySampler(background, residencyIntervalNanos);
        this.eviction = new Eviction(index, pinned, policy, ledger, accesses, releaser);
    }
}
