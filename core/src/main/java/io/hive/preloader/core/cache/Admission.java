package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One model coming into the cache: decided under the cache's lock, loaded on the loader outside it.
 *
 * <p>The models evicted to make room are freed by the load task before the load starts, so the new bytes never sit
 * beside theirs; until then their bytes count as the newcomer's, which is charged only its {@link #share}: its size
 * less what it evicted. When the share does not fit yet because bytes are still being freed (the budget was lowered,
 * a last lease closed), the admission waits for them, in order of arrival, rather than being refused or evicting
 * more; it is refused once nothing is being freed and it still does not fit.
 */
final class Admission {
    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    private final CacheState cache;
    final ResidentModel entry;
    /** What this admission adds to the charges: its size less what its victims held, at least nothing. */
    final long share;
    private final LoadProgress progress;
    /**
     * The models it evicted, whose bytes it takes over once they are freed: fixed when it is decided, read by the
     * thread that announces it and by the one that frees them (its load, or whoever gives it up).
     */
    private final List<ResidentModel> victims;
    /** Stale copies it displaced that had open leases: out of the cache, freed by their last lease. */
    private final List<ResidentModel> displaced;

    private Admission(CacheState cache, ResidentModel entry, LoadProgress progress, List<ResidentModel> victims,
                      List<ResidentModel> displaced) {
        this.cache = cache;
        this.entry = entry;
        this.victims = List.copyOf(victims);
        this.share = Math.max(0, entry.bytes() - this.victims.stream().mapToLong(ResidentModel::bytes).sum());
        this.progress = progress;
        this.displaced = displaced;
    }

    /** An admission decided: its share charged and to be launched {@code now}, or waiting for bytes being freed. */
    record Decided(Admission admission, boolean now) {
    }

    /**
     * Decides the admission under the cache's lock; null when the index changed since {@code seen} was read (the
     * caller looks again).
     *
     * @throws BudgetExceededException when the model cannot fit; a stale copy of it goes all the same
     */
    static Decided decide(CacheState cache, ModelDescriptor model, ResidentModel seen, LoadProgress progress) {
        Releaser releaser = cache.releaser;
        List<ResidentModel> victims = new ArrayList<>();
        List<ResidentModel> displaced = new ArrayList<>();
        RuntimeException refused;
        cache.lock.lock();
        try {
            if (cache.closed) {
                throw new CacheClosedException();
            }
            ResidentModel now = cache.index.get(model.id());
            if (now != seen) {
                return null;
            }
            if (now != null) {
                displace(cache, now, victims, displaced);
            }
            try {
                long stale = victims.stream().mapToLong(ResidentModel::bytes).sum();
                // Bytes being freed will be room; bytes promised to admissions waiting before this one will not.
                long coming = stale + cache.ledger.freeingBytes() - cache.waiting.promised();
                victims.addAll(cache.eviction.makeRoom(model, coming));
                Admission admission = new Admission(cache, cache.newEntry.apply(model), progress, victims, displaced);
                cache.index.put(model.id(), admission.entry);
                return new Decided(admission, cache.waiting.add(admission, cache.ledger));
            } catch (RuntimeException e) {
                refused = e;
            }
        } finally {
            cache.lock.unlock();
        }
        // Refused: the stale copy goes all the same, since it must never be served again.
        for (ResidentModel stale : victims) {
            releaser.evicted(stale, "file replaced on disk");
            releaser.later(releaser.owned(stale));
        }
        displaced.forEach(d -> releaser.evicted(d, "file replaced on disk"));
        throw refused;
    }

    /** Takes the copy of another version out of the cache; its bytes go to the newcomer when no lease holds it. */
    private static void displace(CacheState cache, ResidentModel stale, List<ResidentModel> victims, List<ResidentModel> displaced) {
        cache.eviction.remove(stale);
        if (stale.loading()) {
            stale.retire(); // the file changed under a load in flight: that load finishes, and its bytes go at once
            return;
        }
        (cache.releaser.retireFor(stale) ? victims : displaced).add(stale);
    }

    /** Tells the listeners of what it evicted; outside the lock, once per admission. */
    void announce() {
        String reason = "evicted to admit " + entry.descriptor.id();
        for (ResidentModel victim : victims) {
            cache.releaser.evicted(victim, victim.descriptor.id().equals(entry.descriptor.id()) ? "file replaced on disk" : reason);
        }
        displaced.forEach(d -> cache.releaser.evicted(d, "file replaced on disk"));
    }

    /**
     * Starts the load of an admission whose share was charged; outside the lock.
     *
     * @throws RuntimeException when the loader takes no task: what it evicted is freed and all its bytes given back first
     */
    void launch() {
        try {
            cache.loader.execute(this::load);
        } catch (RuntimeException | Error failure) {
            // Once its victims are freed it is charged its whole size (their bytes were its own): all of it goes back.
            if (cache.releaser.freeVictims(victims, entry.bytes(), true, false)) {
                cache.budgeting.settle(entry.bytes(), 0);
            }
            forget();
            entry.ready.completeExceptionally(failure);
            throw failure;
        }
    }

    /** Gives up an admission that never started (it could not fit, or the cache closed); outside the lock. */
    void abandon(RuntimeException why) {
        cache.releaser.freeVictims(victims, entry.bytes(), false, false);
        forget();
        entry.ready.completeExceptionally(why);
    }

    CompletableFuture<Void> ready() {
        return entry.ready;
    }

    private void load() {
        if (!victims.isEmpty() && !cache.releaser.freeVictims(victims, entry.bytes(), true, true)) {
            forget();
            entry.ready.completeExceptionally(new StoreException("cannot load " + entry.descriptor.id()
                    + ": a model evicted to make room for it could not be freed"));
            return;
        }
        long start = System.nanoTime();
        ResidentRegion region;
        try {
            region = cache.store.load(entry.descriptor, progress);
        } catch (Throwable failure) {
            forget();
            cache.budgeting.settle(entry.bytes(), 0);
            entry.ready.completeExceptionally(failure);
            return;
        }
        entry.loadNanos = System.nanoTime() - start;
        entry.residentAtLoad = residentNow(region);
        Outcome outcome = admit(region);
        if (!(outcome instanceof Outcome.Admitted)) {
            cache.releaser.now(cache.releaser.owned(entry));
            entry.ready.completeExceptionally(outcome instanceof Outcome.Refused(Throwable why) ? why
                    : new StaleModelException(entry.descriptor.id() + " was replaced or evicted while it was loading"));
            return;
        }
        for (ModelCache.LoadListener l : cache.loadListeners) {
            try {
                l.loaded(entry.descriptor.id(), entry.bytes(), entry.loadNanos);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a load listener failed on " + entry.descriptor.id() + ": " + e.getMessage(), e);
            }
        }
        entry.ready.complete(null);
        cache.budgeting.trimIfOver();
    }

    /** How a load that completed ends. */
    private sealed interface Outcome {
        record Admitted() implements Outcome {
        }

        /** Replaced or evicted while loading, or the cache closed: the bytes go at once. */
        record Superseded() implements Outcome {
        }

        /** The policy could not take the model. */
        record Refused(Throwable why) implements Outcome {
        }
    }

    /**
     * Tells the policy, then publishes the region, under the lock. Published only once the policy has the model: a
     * hit can lease it from then on, so a model the policy refuses must never have been reachable. A model not
     * admitted is retired before its region is set, so no lease was ever taken on it and it is the caller's to free.
     */
    private Outcome admit(ResidentRegion region) {
        cache.lock.lock();
        try {
            Outcome outcome;
            if (entry.retired() || cache.closed) {
                outcome = new Outcome.Superseded();
            } else {
                try {
                    cache.eviction.drainAccesses(); // uses recorded before this model arrived reach the policy before it does
                    cache.policy.admitted(entry.descriptor.id(), entry.bytes());
                    outcome = new Outcome.Admitted();
                } catch (RuntimeException | Error failure) {
                    // A policy that cannot take the model must not leave its waiters hanging or its bytes held.
                    cache.index.remove(entry.descriptor.id(), entry);
                    outcome = new Outcome.Refused(failure);
                }
            }
            if (!(outcome instanceof Outcome.Admitted)) {
                entry.retire();
            }
            entry.region = region; // from here a lease can be taken, unless the entry is retired
            return outcome;
        } finally {
            cache.lock.unlock();
        }
    }

    private void forget() {
        cache.lock.lock();
        try {
            cache.index.remove(entry.descriptor.id(), entry);
            entry.retire();
        } finally {
            cache.lock.unlock();
        }
    }

    private static long residentNow(ResidentRegion region) {
        try {
            return region.residentBytes();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
