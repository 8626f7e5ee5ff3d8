package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Models resident in RAM under a hard byte budget. A model's bytes are charged to the budget before its load starts
 * and stay charged until its store has freed them, so what is held never exceeds the budget; admission evicts
 * through the {@link EvictionPolicy} until the new model fits, and refuses it, evicting nothing, when it cannot.
 * Concurrent admissions of one model share one load.
 *
 * <p>A hit takes no lock: a lookup in a concurrent index, one compare-and-set on the model's reference word (see
 * {@link ResidentModel}), one version check, and a use recorded in a lossy buffer that the policy drains under the
 * admission lock. Admission, eviction, pins and budget changes decide under that lock; loads, releases (device
 * unregistration, munmap, {@code DONTNEED}, file deletion), listeners and residency samples run outside it.
 */
public final class ModelCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelCache.class.getName());
    /** How often at most {@link #snapshot} has residency measured again. */
    static final long RESIDENCY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RamStore store;
    private final EvictionPolicy policy;
    private final Executor loader;
    private final Executor background;
    private final VersionCheck current;
    private final Function<ModelDescriptor, ResidentModel> newEntry;
    /** Read by the hit path without a lock; changed only under {@link #lock}. */
    private final ConcurrentHashMap<ModelId, ResidentModel> index = new ConcurrentHashMap<>();
    /** Changed only under {@link #lock}; read anywhere. */
    private final Set<ModelId> pinned = ConcurrentHashMap.newKeySet();
    private final Ledger ledger;
    private final Releaser releaser;
    private final ResidencySampler residency;
    private final AccessBuffer<ResidentModel> accesses = new AccessBuffer<>(Runtime.getRuntime().availableProcessors());
    private final Eviction eviction;
    private final List<LoadListener> loadListeners = new CopyOnWriteArrayList<>();
    /**
     * The admission lock: admissions, evictions, pins and budget changes decide under it, and the policy is called
     * only under it (so a policy needs no lock of its own). Held for decisions only: no load, release, listener, log
     * line or file check runs under it. The hit path never waits for it: it only tries it, to drain a full buffer.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    /**
     * Set before a trim looks at lease counts and left set while models over the budget could not go: a lease
     * closing afterwards sees it and trims again (the trim reads the counts after setting it, the close reads it
     * after changing its count, so one of them sees the other).
     */
    private volatile boolean overBudget;

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
        this.store = store;
        this.policy = policy;
        this.loader = loader;
        this.background = background;
        this.current = current;
        this.newEntry = newEntry;
        this.ledger = new Ledger(budget.bytes());
        this.releaser = new Releaser(ledger, background);
        this.residency = new ResidencySampler(background, residencyIntervalNanos);
        this.eviction = new Eviction(index, pinned, policy, ledger, accesses, releaser);
    }

    public void addListener(EvictionListener listener) {
        releaser.listeners.add(listener);
    }

    public void addLoadListener(LoadListener listener) {
        loadListeners.add(listener);
    }

    public String storeName() {
        return store.name();
    }

    public String policyName() {
        return policy.name();
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
        if (closed) {
            throw new CacheClosedException();
        }
        ResidentModel entry = index.get(id);
        while (entry != null && !entry.loading() && (exact == null || sameVersion(entry, exact))) {
            if (entry.tryAcquire()) {
                if (exact == null && !current.isCurrent(entry.descriptor)) {
                    released(entry); // replaced on disk: the slow path loads the new version
                    return Optional.empty();
                }
                record(entry);
                return Optional.of(new Lease(this, entry, origin));
            }
            // Retired: look again, the index may hold a newer copy already.
            ResidentModel again = index.get(id);
            if (again == entry) {
                break;
            }
            entry = again;
        }
        return Optional.empty();
    }

    private void record(ResidentModel entry) {
        if (accesses.offer(entry) == AccessBuffer.Offer.FULL && lock.tryLock()) {
            try {
                eviction.drainAccesses();
            } finally {
                lock.unlock();
            }
            accesses.offer(entry);
        }
    }

    private static boolean sameVersion(ResidentModel entry, ModelDescriptor model) {
        return entry.descriptor.fingerprint().equals(model.fingerprint());
    }

    /** A lease closed. */
    void released(ResidentModel entry) {
        if (entry.release()) {
            releaser.later(releaser.owned(entry));
        } else if (overBudget && entry.leases() == 0 && !pinned.contains(entry.descriptor.id())) {
            trimLater();
        }
    }

    /** Marks a lease as held by a running worker: its model cannot be evicted on request until the lease closes. */
    void holdFor(Lease lease, ResidentModel entry, long pid) {
        lock.lock();
        try {
            entry.workerLeases.put(lease, pid);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes the model described resident, loading it unless the same version already is (or is being loaded).
     * A copy of another version is dropped first when the descriptor is the current version: a stale copy is never
     * served, and an admission of an older version than the one held never displaces it.
     *
     * @throws BudgetExceededException when the model cannot fit even after evicting every evictable model
     * @throws StaleModelException     when the descriptor is no longer the current version: look it up again
     */
    public CompletableFuture<Void> admit(ModelDescriptor model, LoadProgress progress) {
        while (true) {
            if (closed) {
                throw new CacheClosedException();
            }
            ResidentModel seen = index.get(model.id());
            if (seen != null && sameVersion(seen, model)) {
                return seen.ready;
            }
            if (seen != null && !current.isCurrent(model)) {
                throw new StaleModelException(model.id() + " changed on disk since it was looked up; look it up again");
            }
            Admission admission = Admission.decide(this, model, seen);
            if (admission != null) {
                return admission.start(progress);
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
        ResidentModel entry;
        boolean unleased;
        lock.lock();
        try {
            entry = index.get(id);
            if (entry == null) {
                return false;
            }
            if (pinned.contains(id)) {
                throw new ModelPinnedException(id);
            }
            if (entry.loading()) {
                throw new ModelLoadingException(id);
            }
            if (!entry.workerLeases.isEmpty()) {
                throw new ModelInUseException(id, entry.workers());
            }
            eviction.remove(entry);
            unleased = retire(entry);
        } finally {
            lock.unlock();
        }
        releaser.evicted(entry, "evicted on request");
        if (unleased) {
            releaser.now(entry);
        }
        return true;
    }

    /** Retires a model out of the index; true when it had no lease (it is then the caller's to free). Under the lock. */
    private boolean retire(ResidentModel entry) {
        releaser.draining.add(entry);
        if (entry.retire()) {
            releaser.owned(entry);
            return true;
        }
        return false;
    }

    /** A pinned model is never chosen for eviction, whether resident now or admitted later; false if it already was. */
    public boolean pin(ModelId id) {
        lock.lock();
        try {
            return pinned.add(id);
        } finally {
            lock.unlock();
        }
    }

    public void unpin(ModelId id) {
        lock.lock();
        try {
            pinned.remove(id);
        } finally {
            lock.unlock();
        }
        trim("over the budget once unpinned");
    }

    public boolean isPinned(ModelId id) {
        return pinned.contains(id);
    }

    /**
     * Sets a new budget. When it is lower than what is held, models are chosen for eviction at once and freed in the
     * background; models that are pinned, loading or leased go once they become evictable.
     */
    public void budget(ByteBudget newBudget) {
        lock.lock();
        try {
            ledger.budget(newBudget.bytes());
            if (closed) {
                return;
            }
        } finally {
            lock.unlock();
        }
        trim("budget lowered");
    }

    private void trimLater() {
        try {
            background.execute(() -> trim("budget lowered"));
        } catch (RejectedExecutionException closing) {
            // The cache is closing: everything goes anyway.
        }
    }

    private void trim(String reason) {
        if (ledger.excess() <= 0 && !overBudget) {
            return;
        }
        Eviction.Trim trim;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            overBudget = true;
            trim = eviction.trim();
            overBudget = ledger.excess() > 0;
        } finally {
            lock.unlock();
        }
        trim.refused().ifPresent(id -> LOG.log(System.Logger.Level.WARNING, "eviction policy {0} proposed {1}, which is not "
                + "evictable; it stays", policy.name(), id));
        if (trim.victims().isEmpty() && overBudget) {
            LOG.log(System.Logger.Level.DEBUG, "{0} bytes over the budget: the rest is pinned, loading or leased", ledger.excess());
        }
        for (ResidentModel victim : trim.victims()) {
            releaser.evicted(victim, reason);
            releaser.later(victim);
        }
    }

    /** Bytes charged to the budget now: resident, loading, leased after eviction, being freed. O(1). */
    public long usedBytes() {
        return ledger.charged();
    }

    public long budgetBytes() {
        return ledger.budget();
    }

    /** Bytes in RAM at the last residency sample. O(1); the sample is at most about a second old while someone asks. */
    public long residentBytes() {
        return residency.totalBytes();
    }

    /** The models the cache holds now, with resident bytes from the last residency sample (never measured here). */
    public CacheSnapshot snapshot() {
        List<CacheSnapshot.Entry> entries = new ArrayList<>();
        List<ResidentModel> held = new ArrayList<>();
        for (ResidentModel m : index.values()) {
            entries.add(entry(m, m.loading() ? CacheSnapshot.State.LOADING : CacheSnapshot.State.RESIDENT, held));
        }
        releaser.draining.forEach(m -> entries.add(entry(m, CacheSnapshot.State.DRAINING, held)));
        releaser.releasing.forEach(m -> entries.add(entry(m, CacheSnapshot.State.RELEASING, held)));
        releaser.failed.forEach(m -> entries.add(entry(m, CacheSnapshot.State.RELEASE_FAILED, held)));
        residency.refreshIfStale(held);
        entries.sort(Comparator.comparing(CacheSnapshot.Entry::id));
        return new CacheSnapshot(ledger.budget(), ledger.charged(), ledger.evictions(), store.name(), policy.name(), entries);
    }

    private CacheSnapshot.Entry entry(ResidentModel m, CacheSnapshot.State state, List<ResidentModel> held) {
        if (!m.loading()) {
            held.add(m);
        }
        return new CacheSnapshot.Entry(m.descriptor.id(), m.descriptor, m.bytes(), m.loading() ? 0 : residency.residentBytes(m),
                state, pinned.contains(m.descriptor.id()), m.leases(), m.loadNanos, m.workers());
    }

    /** Frees every model without leases, on this thread; models still leased are freed when their last lease closes. */
    @Override
    public void close() {
        List<ResidentModel> unleased = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            releaser.closing();
            // Closing is not an eviction: nothing is counted or reported, the bytes are just let go.
            for (ResidentModel entry : List.copyOf(index.values())) {
                index.remove(entry.descriptor.id(), entry);
                if (entry.loading()) {
                    entry.retire(); // its loader frees it when the load is done
                } else if (retire(entry)) {
                    unleased.add(entry);
                }
            }
        } finally {
            lock.unlock();
        }
        unleased.forEach(releaser::now);
    }

    // ---- for Admission, in this package

    ReentrantLock lock() {
        return lock;
    }

    boolean closed() {
        return closed;
    }

    ConcurrentHashMap<ModelId, ResidentModel> index() {
        return index;
    }

    Ledger ledger() {
        return ledger;
    }

    Releaser releaser() {
        return releaser;
    }

    Eviction eviction() {
        return eviction;
    }

    EvictionPolicy policy() {
        return policy;
    }

    RamStore store() {
        return store;
    }

    Executor loader() {
        return loader;
    }

    ResidentModel newEntry(ModelDescriptor model) {
        return newEntry.apply(model);
    }

    List<LoadListener> loadListeners() {
        return loadListeners;
    }

    /** After a load: models that were over the budget but loading may go now. */
    void trimIfOver() {
        if (ledger.excess() > 0) {
            trimLater();
        }
    }
}
