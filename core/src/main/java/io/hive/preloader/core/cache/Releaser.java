package io.hive.preloader.core.cache;

import io.hive.preloader.core.port.ResidentRegion;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;

/**
 * Lets retired models go, never under the cache's lock: closes what was tied to the region (a device registration),
 * has the store free it (munmap, {@code DONTNEED}, a file deleted), and only then gives its bytes back to the
 * ledger, so that what is charged never falls below what is held. A release that throws leaves its bytes charged:
 * the store may still hold them. Releases nobody waits for (a last lease closed, the budget lowered) run on the
 * background executor; the rest on the thread that asked.
 *
 * <p>The release's states live here alone: a model retired out of the index is {@code draining} while leases hold
 * it, {@code releasing} once nobody does (counted as being freed, unless an admission took its bytes over), and
 * {@code failed} when its store could not let it go. The other parts of the cache ask for these transitions by name.
 */
final class Releaser {
    private static final System.Logger LOG = System.getLogger(Releaser.class.getName());

    /** Gives bytes back to the ledger under the cache's lock, which lets admissions waiting for them go. */
    @FunctionalInterface
    interface Settle {
        void settle(long givenBack, long noLongerFreeing);
    }

    private final Ledger ledger;
    private final Executor background;
    private final Settle settle;

    final List<ModelCache.EvictionListener> listeners = new CopyOnWriteArrayList<>();
    /** Retired while leased: freed when the last lease closes. */
    private final Set<ResidentModel> draining = ConcurrentHashMap.newKeySet();
    /** Being freed. */
    private final Set<ResidentModel> releasing = ConcurrentHashMap.newKeySet();
    /** Their release threw: the bytes stay charged, since the store may still hold them. */
    private final Set<ResidentModel> failed = ConcurrentHashMap.newKeySet();
    /** Once the cache is closed, pages stay in the page cache for workers (see {@link ResidentRegion.Release}). */
    private volatile boolean closing;

    Releaser(Ledger ledger, Executor background, Settle settle) {
        this.ledger = ledger;
        this.background = background;
        this.settle = settle;
    }

    void closing() {
        closing = true;
    }

    /**
     * Retires a model just taken out of the index, whatever its leases (under the cache's lock). Unleased, it is the
     * caller's to free ({@link #now} or {@link #later}), its bytes counted as being freed: true. Leased, it drains, and
     * its last lease frees it.
     */
    boolean retire(ResidentModel model) {
        draining.add(model);
        if (model.retire()) {
            owned(model);
            return true;
        }
        return false;
    }

    /**
     * {@link #retire}, for a stale copy an admission displaces: unleased, its bytes go to the admission, so they are
     * not counted as being freed (the admission frees it before it loads).
     */
    boolean retireFor(ResidentModel stale) {
        draining.add(stale);
        if (stale.retire()) {
            takenOver(stale);
            return true;
        }
        return false;
    }

    /** Victims an admission retired (see {@link Eviction#makeRoom}): being freed, their bytes the admission's. */
    void takenOver(ResidentModel victim) {
        releasing.add(victim);
        draining.remove(victim);
    }

    /**
     * Takes on a retired model without leases: from now on its bytes count as being freed, so that a later decision
     * does not evict more for them. Then {@link #now} or {@link #later} frees it.
     */
    ResidentModel owned(ResidentModel model) {
        releasing.add(model);
        draining.remove(model);
        ledger.freeing(model.bytes());
        return model;
    }

    /** Every model retired but not yet freed, or whose release failed, with its state. */
    void forEach(BiConsumer<ResidentModel, CacheSnapshot.State> each) {
        draining.forEach(m -> each.accept(m, CacheSnapshot.State.DRAINING));
        releasing.forEach(m -> each.accept(m, CacheSnapshot.State.RELEASING));
        failed.forEach(m -> each.accept(m, CacheSnapshot.State.RELEASE_FAILED));
    }

    /** Frees a model taken on by {@link #owned} on this thread. */
    void now(ResidentModel model) {
        boolean freed = free(model, ResidentRegion.Release.DROP);
        done(model, freed);
        settle.settle(freed ? model.bytes() : 0, model.bytes());
    }

    /** {@link #now} on the background executor, or here when it takes no more work (it was shut down). */
    void later(ResidentModel model) {
        try {
            background.execute(() -> now(model));
        } catch (RejectedExecutionException e) {
            now(model);
        }
    }

    /**
     * Frees the models an admission evicted, before its load starts, so that its new bytes never sit beside theirs.
     * Their bytes count as the admission's (see {@link Admission}): once they are freed, only what they held beyond
     * the admission's size is given back.
     *
     * @param size        the admitted model's size
     * @param started     whether the admission's own share was charged (it started), or it is abandoned while waiting
     * @param loadFollows whether this thread loads the admission next: the store may then keep the victims' memory
     *                    for that load ({@link ResidentRegion.Release#MAKE_ROOM}), charged as the admission's
     * @return false when a release threw: the admission must not load; all is given back but what is still held
     */
    boolean freeVictims(List<ResidentModel> victims, long size, boolean started, boolean loadFollows) {
        ResidentRegion.Release how = loadFollows ? ResidentRegion.Release.MAKE_ROOM : ResidentRegion.Release.DROP;
        long evicted = 0;
        long freedBytes = 0;
        for (ResidentModel victim : victims) {
            evicted += victim.bytes();
            boolean freed = free(victim, how);
            done(victim, freed);
            freedBytes += freed ? victim.bytes() : 0;
        }
        long share = Math.max(0, size - evicted);
        if (started && freedBytes == evicted) {
            settle.settle(Math.max(0, evicted - size), 0);
            return true;
        }
        settle.settle((started ? share : 0) + freedBytes, 0);
        return false;
    }

    void evicted(ResidentModel model, String reason) {
        for (ModelCache.EvictionListener l : listeners) {
            try {
                l.evicted(model.descriptor.id(), model.bytes(), reason);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "an eviction listener failed on " + model.descriptor.id() + ": " + e.getMessage(), e);
            }
        }
    }

    private void done(ResidentModel model, boolean freed) {
        releasing.remove(model);
        if (!freed) {
            failed.add(model);
        }
    }

    /** Closes what was tied to the region before the region itself goes; true when the store let it go. */
    private boolean free(ResidentModel model, ResidentRegion.Release how) {
        closeAttachments(model);
        // The model's monitor keeps the residency sampler off the region while it goes; no hit ever takes it.
        synchronized (model) {
            if (model.released) {
                return true;
            }
            try {
                model.region.release(closing ? ResidentRegion.Release.RETAIN_PAGE_CACHE : how);
                model.released = true;
                return true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "releasing " + model.descriptor.id() + " failed; its "
                        + model.bytes() + " bytes stay charged to the budget: " + e.getMessage(), e);
                return false;
            }
        }
    }

    private static void closeAttachments(ResidentModel model) {
        for (var e : model.attachments.entrySet()) {
            e.getValue().ifPresent(attachment -> {
                try {
                    attachment.close();
                } catch (Exception failure) {
                    LOG.log(System.Logger.Level.WARNING, "closing " + e.getKey() + " of " + model.descriptor.id() + " failed: "
                            + failure.getMessage(), failure);
                }
            });
        }
        model.attachments.clear();
    }
}
