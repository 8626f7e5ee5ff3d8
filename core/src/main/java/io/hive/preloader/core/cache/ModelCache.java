package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * Models resident in RAM under a hard byte budget. A model's bytes are reserved in the budget before its load
 * starts, so what is loaded never exceeds the budget; admission evicts through the {@link EvictionPolicy} until
 * the new model fits, and refuses it, evicting nothing, when it cannot fit. Concurrent admissions of one model
 * share one load. All state is guarded by {@code this}; loads run on the executor, outside the lock.
 */
public final class ModelCache implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ModelCache.class.getName());

    private final RamStore store;
    private final EvictionPolicy policy;
    private final Executor loader;
    private final Map<ModelId, ResidentModel> index = new HashMap<>();
    private final Set<ModelId> pinned = new HashSet<>();
    private final Set<ResidentModel> draining = new HashSet<>();
    private final LongAdder evictions = new LongAdder();
    private final List<EvictionListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<LoadListener> loadListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private long budget;
    /** Bytes reserved: resident, loading, and evicted but still held by leases. */
    private long used;
    private boolean closed;

    /** Told of every model the cache drops, for whatever reason. */
    @FunctionalInterface
    public interface EvictionListener {
        void evicted(ModelId id, long bytes, String reason);
    }

    public ModelCache(RamStore store, EvictionPolicy policy, ByteBudget budget, Executor loader) {
        this.store = store;
        this.policy = policy;
        this.loader = loader;
        this.budget = budget.bytes();
    }

    public void addListener(EvictionListener listener) {
        listeners.add(listener);
    }

    /** Told once of every load from disk that completed and was admitted, however many callers shared it. */
    @FunctionalInterface
    public interface LoadListener {
        void loaded(ModelId id, long bytes, long nanos);
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

    /**
     * Makes the model described resident, loading it unless the same version already is (or is being loaded).
     * A resident copy of another version of the file is dropped first: a stale copy is never served.
     *
     * @throws BudgetExceededException when the model cannot fit even after evicting every evictable model
     */
    public synchronized CompletableFuture<Void> admit(ModelDescriptor model, LoadProgress progress) {
        ensureOpen();
        ResidentModel current = index.get(model.id());
        if (current != null) {
            if (current.descriptor.fingerprint().equals(model.fingerprint())) {
                return current.ready;
            }
            if (current.loading()) {
                // The file changed under a load in flight: that load finishes, and its bytes are freed at once.
                detach(current, "file replaced while loading");
            } else {
                detach(current, "file replaced on disk");
            }
        }
        makeRoom(model);
        ResidentModel entry = new ResidentModel(model);
        used += model.size();
        index.put(model.id(), entry);
        try {
            loader.execute(() -> load(entry, progress));
        } catch (RuntimeException | Error failure) {
            // No thread for the load: give the reservation back rather than leave an entry loading for ever.
            forget(entry);
            used -= model.size();
            throw failure;
        }
        return entry.ready;
    }

    private void load(ResidentModel entry, LoadProgress progress) {
        long start = System.nanoTime();
        ResidentRegion region;
        try {
            region = store.load(entry.descriptor, progress);
        } catch (Throwable failure) {
            synchronized (this) {
                forget(entry);
                used -= entry.bytes();
            }
            entry.ready.completeExceptionally(failure);
            return;
        }
        boolean superseded;
        synchronized (this) {
            entry.region = region;
            entry.loadNanos = System.nanoTime() - start;
            superseded = entry.detached || closed;
            if (superseded) {
                freeIfUnleased(entry);
            } else {
                try {
                    policy.admitted(entry.descriptor.id(), entry.bytes());
                } catch (RuntimeException | Error failure) {
                    // A policy that cannot take the model must not leave its waiters hanging or its bytes held.
                    forget(entry);
                    entry.detached = true;
                    freeIfUnleased(entry);
                    entry.ready.completeExceptionally(failure);
                    return;
                }
            }
        }
        if (superseded) {
            entry.ready.completeExceptionally(new StaleModelException(entry.descriptor.id()
                    + " was replaced or evicted while it was loading"));
        } else {
            for (LoadListener l : loadListeners) {
                try {
                    l.loaded(entry.descriptor.id(), entry.bytes(), entry.loadNanos);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "a load listener failed on " + entry.descriptor.id() + ": " + e.getMessage(), e);
                }
            }
            entry.ready.complete(null);
        }
    }

    /** A lease on the model if this exact version is resident now (the fast path), else empty. */
    public synchronized Optional<Lease> lease(ModelDescriptor model, Origin origin) {
        ensureOpen();
        ResidentModel entry = index.get(model.id());
        if (entry == null || entry.loading() || !entry.descriptor.fingerprint().equals(model.fingerprint())) {
            return Optional.empty();
        }
        entry.leases++;
        policy.accessed(model.id());
        return Optional.of(new Lease(this, entry, origin));
    }

    synchronized void released(ResidentModel entry) {
        entry.leases--;
        if (entry.detached) {
            freeIfUnleased(entry);
        } else if (used > budget) {
            trim("budget lowered");
        }
    }

    /**
     * Drops a model from the cache. Its bytes are freed now, or when its last lease closes.
     *
     * @return false when the model was not resident
     * @throws IllegalStateException when the model is pinned or still loading
     */
    public synchronized boolean evict(ModelId id) {
        ResidentModel entry = index.get(id);
        if (entry == null) {
            return false;
        }
        if (pinned.contains(id)) {
            throw new IllegalStateException(id + " is pinned; unpin it before evicting it");
        }
        if (entry.loading()) {
            throw new IllegalStateException(id + " is still loading; evict it once its load is done");
        }
        detach(entry, "evicted on request");
        return true;
    }

    /** A pinned model is never chosen for eviction, whether resident now or admitted later. */
    public synchronized void pin(ModelId id) {
        pinned.add(id);
    }

    public synchronized void unpin(ModelId id) {
        pinned.remove(id);
        if (used > budget) {
            trim("budget lowered");
        }
    }

    /**
     * Sets a new budget. When it is lower than what is held, models are evicted on the loader executor until
     * what is held fits, except models that are pinned, loading or leased: those go once they become evictable.
     */
    public void budget(ByteBudget newBudget) {
        synchronized (this) {
            budget = newBudget.bytes();
            if (closed || used <= budget) {
                return;
            }
        }
        loader.execute(() -> {
            synchronized (this) {
                trim("budget lowered");
            }
        });
    }

    public synchronized CacheSnapshot snapshot() {
        List<CacheSnapshot.Entry> entries = new ArrayList<>();
        for (ResidentModel m : index.values()) {
            entries.add(entry(m, false));
        }
        for (ResidentModel m : draining) {
            entries.add(entry(m, true));
        }
        entries.sort(java.util.Comparator.comparing(CacheSnapshot.Entry::id));
        return new CacheSnapshot(budget, used, evictions.sum(), store.name(), policy.name(), entries);
    }

    private CacheSnapshot.Entry entry(ResidentModel m, boolean evicted) {
        CacheSnapshot.State state = m.loading() ? CacheSnapshot.State.LOADING
                : evicted ? CacheSnapshot.State.DRAINING : CacheSnapshot.State.RESIDENT;
        long resident = m.loading() ? 0 : m.region.residentBytes();
        return new CacheSnapshot.Entry(m.descriptor.id(), m.descriptor, m.bytes(), resident, state,
                pinned.contains(m.descriptor.id()), m.leases, m.loadNanos);
    }

    public synchronized boolean isPinned(ModelId id) {
        return pinned.contains(id);
    }

    /** Frees every model without leases; models still leased are freed when their last lease closes. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Closing is not an eviction: nothing is counted or reported, the bytes are just let go.
        for (ResidentModel entry : List.copyOf(index.values())) {
            forget(entry);
            entry.detached = true;
            if (!entry.loading()) {
                freeIfUnleased(entry);
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the model cache is closed");
        }
    }

    private boolean evictable(ModelId id) {
        ResidentModel m = index.get(id);
        return m != null && !m.loading() && m.leases == 0 && !pinned.contains(id);
    }

    private void makeRoom(ModelDescriptor model) {
        long needed = model.size();
        if (needed > budget) {
            throw new BudgetExceededException("cannot admit " + model.id() + ": it needs " + ByteSize.format(needed)
                    + ", more than the whole budget of " + ByteSize.format(budget));
        }
        if (budget - used >= needed) {
            return;
        }
        long evictable = index.keySet().stream().filter(this::evictable).mapToLong(id -> index.get(id).bytes()).sum();
        if (budget - used + evictable < needed) {
            throw new BudgetExceededException("cannot admit " + model.id() + " (" + ByteSize.format(needed) + "): budget "
                    + ByteSize.format(budget) + ", " + ByteSize.format(used) + " in use of which only " + ByteSize.format(evictable)
                    + " is evictable (the rest is pinned, loading or leased)");
        }
        while (budget - used < needed) {
            ModelId victim = policy.victim(this::evictable).orElseThrow(() -> new IllegalStateException(
                    "eviction policy " + policy.name() + " proposed no victim although evictable models remain"));
            if (!evictable(victim)) {
                throw new IllegalStateException("eviction policy " + policy.name() + " proposed " + victim + ", which is not evictable");
            }
            detach(index.get(victim), "evicted to admit " + model.id());
        }
    }

    private void trim(String reason) {
        while (used > budget) {
            Optional<ModelId> victim = policy.victim(this::evictable);
            if (victim.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "{0} in use exceeds the budget of {1}: the rest is pinned, loading or leased",
                        ByteSize.format(used), ByteSize.format(budget));
                return;
            }
            detach(index.get(victim.get()), reason);
        }
    }

    private void detach(ResidentModel entry, String reason) {
        forget(entry);
        entry.detached = true;
        if (!entry.loading()) {
            evictions.increment();
            freeIfUnleased(entry);
            for (EvictionListener l : listeners) {
                try {
                    l.evicted(entry.descriptor.id(), entry.bytes(), reason);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "an eviction listener failed on " + entry.descriptor.id() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private void forget(ResidentModel entry) {
        ModelId id = entry.descriptor.id();
        if (index.get(id) == entry) {
            index.remove(id);
            policy.removed(id);
        }
    }

    /** Closes what was tied to the region (a device registration of it) before the region itself goes. */
    private static void closeAttachments(ResidentModel entry) {
        for (var e : entry.attachments.entrySet()) {
            e.getValue().ifPresent(attachment -> {
                try {
                    attachment.close();
                } catch (Exception failure) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + e.getKey() + " of " + entry.descriptor.id() + " failed: "
                            + failure.getMessage(), failure);
                }
            });
        }
        entry.attachments.clear();
    }

    private void freeIfUnleased(ResidentModel entry) {
        if (entry.leases > 0) {
            draining.add(entry);
            return;
        }
        draining.remove(entry);
        used -= entry.bytes();
        closeAttachments(entry);
        try {
            entry.region.release(closed ? ResidentRegion.Release.RETAIN_PAGE_CACHE : ResidentRegion.Release.DROP);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "releasing " + entry.descriptor.id() + " failed: " + e.getMessage(), e);
        }
    }
}
