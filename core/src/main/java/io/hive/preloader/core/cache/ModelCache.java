package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Models resident in RAM under a hard byte budget. A model's bytes are charged to the budget before its load starts
 * and stay charged until its store has freed them, so what is held never exceeds the budget; admission evicts
 * through the {@link EvictionPolicy} until the new model fits, and refuses it, evicting nothing, when it cannot.
 * Concurrent admissions of one model share one load.
 *
 * <p>A hit takes no lock: a lookup in a concurrent index, one compare-and-set on the model's reference word (see
 * {@link ResidentModel}), one version check, and a use recorded in a lossy buffer that the policy drains under the
 * admission lock. Admission, eviction, pins and budget changes decide under that lock ({@link CacheState#lock});
 * loads, releases (device unregistration, munmap, {@code DONTNEED}, file deletion), listeners and residency samples
 * run outside it.
 */
public final class ModelCache implements AutoCloseable {
    /** How often at most {@link #snapshot} has residency measured again. */
    static final long RESIDENCY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CacheState state;
    private final Inventory inventory;
    private final Removal removal;

    /** Told of every model the cache drops, for whatever reason, once it is out of the cache (outside its lock). */
    @FunctionalInterface
    public interface EvictionListener {
        void evicted(ModelId id, long bytes, String reason);
    }

    /** Told once of every load from disk that completed and was admitted, however many callers shared it. */
    @FunctionalInterface
    public interface LoadListener {
        void loaded(ModelId id, long bytes, long nanos);
    }

    /** A cache that trusts the descriptors it is given and frees on the loader's threads. */
    public ModelCache(RamStore store, EvictionPolicy policy, ByteBudget budget, Executor loader) {
        this(store, policy, budget, loader, loader, VersionCheck.trustCaller());
    }

    /**
     * @param loader     runs each load
     * @param background frees models nobody waits for (a last lease closed, the budget lowered) and samples residency
     * @param current    tells whether a resident copy is still the current version, on every lease taken by id
     */
    public ModelCache(RamStore store, EvictionPolicy policy, ByteBudget budget, Executor loader, Executor background,
                      VersionCheck current) {
        this(store, policy, budget, loader, background, current, ResidentModel::new, RESIDENCY_INTERVAL_NANOS);
    }

    ModelCache(RamStore store, EvictionPolicy policy, ByteBudget budget, Executor loader, Executor background,
               VersionCheck current, Function<ModelDescriptor, ResidentModel> newEntry, long residencyIntervalNanos) {
        this.state = new CacheState(store, policy, budget, loader, background, current, newEntry, residencyIntervalNanos);
        this.inventory = new Inventory(state);
        this.removal = new Removal(state);
    }

    public void addListener(EvictionListener listener) {
        state.releaser.listeners.add(listener);
    }

    public void addLoadListener(LoadListener listener) {
        state.loadListeners.add(listener);
    }

    public String storeName() {
        return state.store.name();
    }

    public String policyName() {
        return state.policy.name();
    }

    /** The hit path: a lease if the current version of the model (by the {@link VersionCheck}) is resident. */
    public Optional<Lease> lease(ModelId id, Origin origin) {
        return acquire(id, null, origin);
    }

    /** A lease on the model if this exact version is resident now, else empty. */
    public Optional<Lease> lease(ModelDescriptor model, Origin origin) {
        return acquire(model.id(), model, origin);
    }

    private Optional<Lease> acquire(ModelId id, ModelDescriptor exact, Origin origin) {
        if (state.closed) {
            throw new CacheClosedException();
        }
        ResidentModel entry = state.index.get(id);
        while (entry != null && !entry.loading() && (exact == null || sameVersion(entry, exact))) {
            if (entry.tryAcquire()) {
                if (exact == null && !state.current.isCurrent(entry.descriptor)) {
                    released(entry); // replaced on disk: the slow path loads the new version
                    return Optional.empty();
                }
                record(entry);
                return Optional.of(new Lease(this, entry, origin));
            }
            // Retired: look again, the index may hold a newer copy already.
            ResidentModel again = state.index.get(id);
            if (again == entry) {
                break;
            }
            entry = again;
        }
        return Optional.empty();
    }

    /** Records a use for the policy; drains the buffer when full, unless someone holds the lock (then it is dropped). */
    private void record(ResidentModel entry) {
        if (state.accesses.offer(entry) == AccessBuffer.Offer.FULL && state.lock.tryLock()) {
            try {
                state.eviction.drainAccesses();
            } finally {
                state.lock.unlock();
            }
            state.accesses.offer(entry);
        }
    }

    static boolean sameVersion(ResidentModel entry, ModelDescriptor model) {
        return entry.descriptor.fingerprint().equals(model.fingerprint());
    }

    /** A lease closed: the last one of a retired model hands it to the releaser. */
    void released(ResidentModel entry) {
        if (entry.release()) {
            state.releaser.later(state.releaser.owned(entry));
        } else if (state.budgeting.overBudget() && entry.leases() == 0 && !state.pinned.contains(entry.descriptor.id())) {
            state.budgeting.trimLater();
        }
    }

    /** Marks a lease as held by a running worker: its model cannot be evicted on request until the lease closes. */
    void holdFor(Lease lease, ResidentModel entry, long pid) {
        state.lock.lock();
        try {
            entry.workerLeases.put(lease, pid);
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Makes the model described resident, loading it unless the same version already is (or is being loaded).
     * A copy of another version is dropped first when the descriptor is the current version: a stale copy is never
     * served, and an admission of an older version than the one held never displaces it. The load may wait for
     * bytes still being freed (see {@link Admission}).
     *
     * @throws BudgetExceededException when the model cannot fit even after evicting every evictable model
     * @throws StaleModelException     when the descriptor is no longer the current version: look it up again
     */
    public CompletableFuture<Void> admit(ModelDescriptor model, LoadProgress progress) {
        while (true) {
            if (state.closed) {
                throw new CacheClosedException();
            }
            ResidentModel seen = state.index.get(model.id());
            if (seen != null && sameVersion(seen, model)) {
                return seen.ready;
            }
            if (seen != null && !state.current.isCurrent(model)) {
                throw new StaleModelException(model.id() + " changed on disk since it was looked up; look it up again");
            }
            Admission.Decided decided = Admission.decide(state, model, seen, progress);
            if (decided != null) {
                decided.admission().announce();
                if (decided.now()) {
                    decided.admission().launch();
                }
                return decided.admission().ready();
            }
        }
    }

    /**
     * Drops a model from the cache. Its bytes are freed now, on this thread, or when its last lease closes.
     *
     * @return false when the model was not resident
     * @throws ModelPinnedException  when it is pinned
     * @throws ModelLoadingException when it is still loading
     * @throws ModelInUseException   when running workers hold it
     */
    public boolean evict(ModelId id) {
        return removal.evict(id);
    }

    /**
     * Drops the resident copy of this version of a model, whose file was replaced on disk: pinned or held by workers, it
     * goes all the same (it is never served again), freed now or when its last lease closes. An admission of the new
     * version displaces a stale copy by itself; this is for a replacement that cannot be admitted (an invalid file).
     *
     * @return false when that version is not what the cache holds for the id (or it is still loading)
     */
    public boolean dropStale(ModelDescriptor stale) {
        return removal.dropStale(stale);
    }

    /** The ids pinned now, resident or not. */
    public Set<ModelId> pinned() {
        return Set.copyOf(state.pinned);
    }

    /** A pinned model is never chosen for eviction, whether resident now or admitted later; false if it already was. */
    public boolean pin(ModelId id) {
        state.lock.lock();
        try {
            return state.pinned.add(id);
        } finally {
            state.lock.unlock();
        }
    }

    public void unpin(ModelId id) {
        state.lock.lock();
        try {
            state.pinned.remove(id);
        } finally {
            state.lock.unlock();
        }
        state.budgeting.trim("over the budget once unpinned");
    }

    public boolean isPinned(ModelId id) {
        return state.pinned.contains(id);
    }

    /**
     * Sets a new budget. When it is lower than what is held, models are chosen for eviction at once and freed in the
     * background; models that are pinned, loading or leased go once they become evictable.
     */
    public void budget(ByteBudget newBudget) {
        state.budgeting.budget(newBudget.bytes());
    }

    /** Bytes charged to the budget now: resident, loading, leased after eviction, being freed. O(1). */
    public long usedBytes() {
        return state.ledger.charged();
    }

    /**
     * Of {@link #usedBytes}: bytes of models retired with no lease whose release is queued or under way. The host
     * gets them back without anyone's help, some of them already while a store frees them. O(1).
     */
    public long freeingBytes() {
        return state.ledger.freeingBytes();
    }

    public long budgetBytes() {
        return state.ledger.budget();
    }

    /** Bytes in RAM at the last residency sample. O(1); the sample is at most about a second old while someone asks. */
    public long residentBytes() {
        return state.residency.totalBytes();
    }

    /** The models the cache holds now, with resident bytes from the last residency sample (never measured here). */
    public CacheSnapshot snapshot() {
        return inventory.snapshot();
    }

    /** Frees every model without leases, on this thread; models still leased are freed when their last lease closes. */
    @Override
    public void close() {
        removal.close();
    }
}
