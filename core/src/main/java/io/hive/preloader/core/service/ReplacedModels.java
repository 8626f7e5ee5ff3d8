package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.ModelCache;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Follows the files of resident and pinned models when they are replaced on disk. The old version stops being served
 * at once (the hit path's version check refuses it); this loads the new one in the background once its header is
 * valid: the admission displaces the old copy, which is freed before the new bytes come in, or when its last lease
 * closes. A replacement that is not a valid model drops the old copy and leaves the model invalid, with its error in
 * the checked catalog, and the id followed: a later valid version of the file is loaded. While a replacement is under
 * way the model is {@link #replacing}.
 *
 * <p>Checks run on one thread of their own: at once (shortly, to let a burst of events settle) when the source's
 * watch says something changed, and every {@code interval} anyway, the re-stat that catches what a watch misses (a
 * folder on NFS, a source that cannot watch). A check costs a snapshot of the cache and one {@code stat} per resident
 * or followed model; the loads run on the preloader's loader.
 */
final class ReplacedModels implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplacedModels.class.getName());
    /** How long a burst of file events is let settle before the check they call for. */
    static final Duration SETTLE = Duration.ofMillis(200);

    private final ModelSource source;
    private final ModelChecks checks;
    private final ModelCache cache;
    private final Function<ModelId, CompletableFuture<Loaded>> load;
    private final Duration interval;
    private final Set<ModelId> replacing = ConcurrentHashMap.newKeySet();
    /** Ids whose replacement could not be loaded, with the file version tried: tried again when the file changes. */
    private final Map<ModelId, Optional<Fingerprint>> awaiting = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean checkPending = new AtomicBoolean();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("preloader-follow").daemon().factory());
    private volatile ModelSource.Watch watch = ModelSource.Watch.NONE;
    private volatile boolean closed;

    /**
     * @param load     loads a model as {@code preload} does
     * @param interval how often the resident models are re-stated whatever the watch says; zero for never
     */
    ReplacedModels(ModelSource source, ModelChecks checks, ModelCache cache, Function<ModelId, CompletableFuture<Loaded>> load,
                   Duration interval) {
        this.source = source;
        this.checks = checks;
        this.cache = cache;
        this.load = load;
        this.interval = interval;
    }

    /** Starts watching and re-stating, once: called on the first admission, so that a preloader that loads nothing watches nothing. */
    void start() {
        if (closed || !started.compareAndSet(false, true)) {
            return;
        }
        try {
            watch = source.watch(this::soon);
            if (closed) {
                watch.close(); // closed while the watch was set up: close() may have read the old one (both volatile)
                return;
            }
            if (!interval.isZero()) {
                timer.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "replaced model files will not be followed: " + e.getMessage(), e);
        }
    }

    /** The models whose new version is being checked or loaded now. */
    Set<ModelId> replacing() {
        return Set.copyOf(replacing);
    }

    /** Asks for a check shortly; many asks before it runs make one check. */
    void soon() {
        if (closed || !checkPending.compareAndSet(false, true)) {
            return;
        }
        try {
            timer.schedule(() -> {
                checkPending.set(false);
                checkQuietly();
            }, SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            checkPending.set(false); // closing
        }
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "checking the model files for replacements failed: " + e.getMessage(), e);
        }
    }

    /** Looks at every resident, pinned or awaited model's file once, and starts the replacement of those that changed. */
    void check() {
        if (closed) {
            return;
        }
        CacheSnapshot snapshot = cache.snapshot();
        Set<ModelId> held = new HashSet<>();
        for (CacheSnapshot.Entry entry : snapshot.entries()) {
            if (entry.state() == CacheSnapshot.State.RESIDENT || entry.state() == CacheSnapshot.State.LOADING) {
                held.add(entry.id());
            }
            if (entry.state() == CacheSnapshot.State.RESIDENT && !source.isCurrent(entry.descriptor())) {
                replace(entry.id(), Optional.of(entry.descriptor()));
            }
        }
        Set<ModelId> others = new HashSet<>();
        others.addAll(cache.pinned());
        others.addAll(awaiting.keySet());
        others.removeAll(held);
        for (ModelId id : others) {
            Optional<Fingerprint> now = source.find(id).map(ModelDescriptor::fingerprint);
            if (now.isPresent() && !now.equals(awaiting.getOrDefault(id, Optional.empty()))) {
                replace(id, Optional.empty());
            }
        }
    }

    /**
     * Drops the copy the cache holds of this model when its file is no longer that version: for a look-up that found
     * the file gone or no valid model, whose old copy must not wait for the next check. An invalid file (or a pinned
     * model's) is followed from then on, so that a valid version is loaded when it comes.
     */
    void dropStale(ModelId id) {
        for (CacheSnapshot.Entry entry : cache.snapshot().entries()) {
            if (entry.id().equals(id) && entry.state() == CacheSnapshot.State.RESIDENT && !source.isCurrent(entry.descriptor())
                    && cache.dropStale(entry.descriptor())) {
                Optional<Fingerprint> now = source.find(id).map(ModelDescriptor::fingerprint);
                followIf(now.isPresent() || cache.isPinned(id), id, now); // an invalid file may be fixed; a removed one is gone
            }
        }
    }

    /** Replaces the model's copy ({@code stale}, if one is resident) by its file's current version. */
    private void replace(ModelId id, Optional<ModelDescriptor> stale) {
        if (closed || !replacing.add(id)) {
            return;
        }
        boolean loading = false;
        try {
            loading = startLoad(id, stale);
        } catch (RuntimeException e) {
            // A look-up while a refusal was handled (a stat failing): the next check tries again.
            LOG.log(System.Logger.Level.WARNING, "{0} was replaced on disk, but it cannot be followed now: {1}", id, e.getMessage());
        } finally {
            if (!loading) {
                replacing.remove(id); // whatever failed: an id left here would never be replaced again
            }
        }
    }

    /** Checks the new version and starts its load; false when none was started (it is invalid, gone or unreadable). */
    private boolean startLoad(ModelId id, Optional<ModelDescriptor> stale) {
        ModelDescriptor now;
        try {
            now = checks.find(id);
            checks.requireValid(now);
        } catch (UnknownModelException gone) {
            stale.ifPresent(cache::dropStale);
            followIf(cache.isPinned(id), id, Optional.empty());
            LOG.log(System.Logger.Level.INFO, "{0}: its file was removed; the copy in RAM was dropped", id);
            return false;
        } catch (InvalidModelException invalid) {
            stale.ifPresent(cache::dropStale);
            followIf(true, id, source.find(id).map(ModelDescriptor::fingerprint));
            LOG.log(System.Logger.Level.WARNING, "{0} was replaced on disk by a file that cannot be served, so it is not loaded: {1}",
                    id, invalid.getMessage());
            return false;
        } catch (ModelChangedException changing) {
            soon(); // still being written: look again once it settles
            return false;
        } catch (RuntimeException unreadable) {
            LOG.log(System.Logger.Level.WARNING, "{0} was replaced on disk, but its new file cannot be checked now: {1}", id,
                    unreadable.getMessage());
            return false;
        }
        LOG.log(System.Logger.Level.INFO, "{0} was replaced on disk; loading its new version", id);
        CompletableFuture<Loaded> loading;
        try {
            loading = load.apply(id);
        } catch (RuntimeException e) {
            loading = CompletableFuture.failedFuture(e);
        }
        loading.whenComplete((loaded, failure) -> {
            if (failure == null) {
                awaiting.remove(id);
            } else {
                followIf(true, id, Optional.of(now.fingerprint()));
                LOG.log(System.Logger.Level.WARNING, "the new version of {0} was not loaded: {1}", id,
                        failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                                ? c.getCause().getMessage() : failure.getMessage());
            }
            replacing.remove(id);
        });
        return true;
    }

    private void followIf(boolean follow, ModelId id, Optional<Fingerprint> tried) {
        if (follow) {
            awaiting.put(id, tried);
        } else {
            awaiting.remove(id);
        }
    }

    @Override
    public void close() {
        closed = true;
        watch.close();
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
