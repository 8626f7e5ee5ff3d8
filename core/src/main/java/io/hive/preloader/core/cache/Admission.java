package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.util.ArrayList;
import java.util.List;

/**
 * One model coming into the cache: decided under the cache's lock, then loaded on the loader outside it.
 *
 * <p>The models evicted to make room are freed by the load task before the load starts, so the new bytes never sit
 * beside theirs; until then their bytes count as the newcomer's. The decision charges what the victims do not cover,
 * {@code max(0, size − evicted)}, and once they are freed gives back what they held beyond the newcomer's size:
 * what is charged never exceeds the budget and never falls below what is held.
 */
final class Admission {
    private static final System.Logger LOG = System.getLogger(Admission.class.getName());

    private final ModelCache cache;
    private final ResidentModel entry;
    /** A stale copy that had open leases: out of the cache, freed by its last lease. */
    private final List<ResidentModel> displaced;

    private Admission(ModelCache cache, ResidentModel entry, List<ResidentModel> displaced) {
        this.cache = cache;
        this.entry = entry;
        this.displaced = displaced;
    }

    /**
     * Decides the admission under the cache's lock; null when the index changed since {@code seen} was read (the
     * caller looks again).
     *
     * @throws BudgetExceededException when the model cannot fit; a stale copy of it goes all the same
     */
    static Admission decide(ModelCache cache, ModelDescriptor model, ResidentModel seen) {
        Releaser releaser = cache.releaser();
        List<ResidentModel> victims = new ArrayList<>();
        List<ResidentModel> displaced = new ArrayList<>();
        RuntimeException refused;
        cache.lock().lock();
        try {
            if (cache.closed()) {
                throw new CacheClosedException();
            }
            ResidentModel now = cache.index().get(model.id());
            if (now != seen) {
                return null;
            }
            if (now != null) {
                cache.eviction().remove(now);
                if (now.loading()) {
                    now.retire(); // the file changed under a load in flight: that load finishes, and its bytes go at once
                } else if (now.retireIfUnleased()) {
                    victims.add(now); // the stale copy's bytes are the new copy's
                    releaser.releasing.add(now);
                } else {
                    releaser.draining.add(now);
                    if (now.retire()) { // its last lease closed just now
                        releaser.draining.remove(now);
                        releaser.releasing.add(now);
                        victims.add(now);
                    } else {
                        displaced.add(now);
                    }
                }
            }
            try {
                long stale = victims.stream().mapToLong(ResidentModel::bytes).sum();
                victims.addAll(cache.eviction().makeRoom(model, stale));
                ResidentModel entry = cache.newEntry(model);
                long evicted = victims.stream().mapToLong(ResidentModel::bytes).sum();
                entry.victims = List.copyOf(victims);
                cache.ledger().charge(Math.max(0, model.size() - evicted));
                cache.index().put(model.id(), entry);
                return new Admission(cache, entry, displaced);
            } catch (RuntimeException e) {
                refused = e;
            }
        } finally {
            cache.lock().unlock();
        }
        // Refused: the stale copy goes all the same, since it must never be served again.
        for (ResidentModel stale : victims) {
            releaser.releasing.remove(stale);
            releaser.evicted(stale, "file replaced on disk");
            releaser.later(releaser.owned(stale));
        }
        displaced.forEach(d -> releaser.evicted(d, "file replaced on disk"));
        throw refused;
    }

    /** Tells the listeners, starts the load and returns what its callers wait on. */
    java.util.concurrent.CompletableFuture<Void> start(LoadProgress progress) {
        String reason = "evicted to admit " + entry.descriptor.id();
        for (ResidentModel victim : entry.victims) {
            cache.releaser().evicted(victim, victim.descriptor.id().equals(entry.descriptor.id()) ? "file replaced on disk" : reason);
        }
        displaced.forEach(d -> cache.releaser().evicted(d, "file replaced on disk"));
        try {
            cache.loader().execute(() -> load(progress));
        } catch (RuntimeException | Error failure) {
            // No thread for the load: free what was evicted for it, give its charge back, fail whoever joined it.
            if (cache.releaser().makeRoomFor(entry)) {
                cache.ledger().giveBack(entry.bytes());
            }
            forget();
            entry.ready.completeExceptionally(failure);
            throw failure;
        }
        return entry.ready;
    }

    private void load(LoadProgress progress) {
        if (!entry.victims.isEmpty() && !cache.releaser().makeRoomFor(entry)) {
            forget();
            entry.ready.completeExceptionally(new StoreException("cannot load " + entry.descriptor.id()
                    + ": a model evicted to make room for it could not be freed"));
            return;
        }
        long start = System.nanoTime();
        ResidentRegion region;
        try {
            region = cache.store().load(entry.descriptor, progress);
        } catch (Throwable failure) {
            forget();
            cache.ledger().giveBack(entry.bytes());
            entry.ready.completeExceptionally(failure);
            return;
        }
        entry.loadNanos = System.nanoTime() - start;
        entry.residentAtLoad = residentNow(region);
        Outcome outcome = admit(region);
        if (!(outcome instanceof Outcome.Admitted)) {
            cache.releaser().now(cache.releaser().owned(entry));
            entry.ready.completeExceptionally(outcome instanceof Outcome.Refused(Throwable why) ? why
                    : new StaleModelException(entry.descriptor.id() + " was replaced or evicted while it was loading"));
            return;
        }
        for (ModelCache.LoadListener l : cache.loadListeners()) {
            try {
                l.loaded(entry.descriptor.id(), entry.bytes(), entry.loadNanos);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a load listener failed on " + entry.descriptor.id() + ": " + e.getMessage(), e);
            }
        }
        entry.ready.complete(null);
        cache.trimIfOver();
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

    /** Publishes the region and tells the policy, under the lock. */
    private Outcome admit(ResidentRegion region) {
        cache.lock().lock();
        try {
            entry.region = region; // from here a lease can be taken, unless the entry is retired
            if (entry.retired() || cache.closed()) {
                entry.retire();
                return new Outcome.Superseded();
            }
            try {
                cache.policy().admitted(entry.descriptor.id(), entry.bytes());
                return new Outcome.Admitted();
            } catch (RuntimeException | Error failure) {
                // A policy that cannot take the model must not leave its waiters hanging or its bytes held.
                cache.index().remove(entry.descriptor.id(), entry);
                entry.retire();
                return new Outcome.Refused(failure);
            }
        } finally {
            cache.lock().unlock();
        }
    }

    private void forget() {
        cache.lock().lock();
        try {
            cache.index().remove(entry.descriptor.id(), entry);
            entry.retire();
        } finally {
            cache.lock().unlock();
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
