package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.ModelCache;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.Cleanup;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** The preloader a builder makes: looks models up in the source, keeps them in the cache, counts what happens. */
final class DefaultModelPreloader implements ModelPreloader {
    private static final System.Logger LOG = System.getLogger(DefaultModelPreloader.class.getName());
    /** A load can be superseded by a file replaced mid-load; a few retries cover a file that settles. */
    private static final int ATTEMPTS = 3;

    private final ModelSource source;
    private final ModelChecks checks;
    private final ModelCache cache;
    private final Optional<VramSink> sink;
    private final Optional<StagingPipeline> pipeline;
    private final AccessJournal journal;
    private final AccessStatistics statistics;
    private final ExecutorService loader;
    private final ExecutorService background;
    private final RamStore store;
    private final DeviceTransfers deviceTransfers;
    private final ReplacedModels replaced;

    /** How transfers run: the staging pipeline if any, the plan when a call names none, the direct plan's chunk. */
    record Transfers(Optional<StagingPipeline> pipeline, PlanMode plan, long chunkSize) {
    }

    DefaultModelPreloader(ModelSource source, RamStore store, EvictionPolicy policy, ByteBudget budget,
                          Optional<VramSink> sink, AccessJournal journal, InstantSource clock, ExecutorService loader,
                          ExecutorService background, Transfers transfers, Duration followInterval) {
        this.source = source;
        this.checks = new ModelChecks(source);
        this.sink = sink;
        this.pipeline = transfers.pipeline();
        this.journal = journal;
        this.loader = loader;
        this.background = background;
        this.store = store;
        // The hit path asks the source whether the resident copy is still the file's version: one stat, no look-up.
        // Loads go through the digest check: a model whose source knows its SHA-256 is hashed while it is read.
        this.cache = new ModelCache(new VerifyingStore(store, new VerifiedDigests()), policy, budget, loader, background, source::isCurrent);
        this.statistics = new AccessStatistics(clock, journal.read());
        cache.addListener((id, bytes, reason) -> {
            statistics.evicted(id);
            LOG.log(System.Logger.Level.INFO, "evicted {0} ({1} bytes): {2}", id, bytes, reason);
        });
        // Counted where the load happens: callers sharing one load must not count its bytes once each.
        cache.addLoadListener(statistics::loadedFromDisk);
        this.deviceTransfers = new DeviceTransfers(source, checks, cache, statistics, sink, transfers, this::get);
        this.replaced = new ReplacedModels(source, checks, cache, this::preload, followInterval);
    }

    @Override
    public List<ModelDescriptor> catalog() {
        return source.list();
    }

    @Override
    public List<CatalogEntry> checkedCatalog() {
        return checks.catalog();
    }

    @Override
    public Optional<CatalogEntry> checked(ModelId id) {
        return checks.catalog(id);
    }

    /** The model as it can be admitted: known, and its file a whole, valid GGUF model (checked once per version). */
    private ModelDescriptor describe(ModelId id) {
        replaced.start(); // from the first admission on, replaced files are followed
        try {
            return checks.admissible(id);
        } catch (InvalidModelException | UnknownModelException refused) {
            replaced.dropStale(id); // a copy of an older version of the file is never served again
            throw refused;
        }
    }

    @Override
    public CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress) {
        return preload(id, progress, 1);
    }

    private CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress, int attempt) {
        long start = System.nanoTime();
        try {
            Optional<Lease> resident = cache.lease(id, Origin.RAM);
            if (resident.isPresent()) {
                long size;
                try (Lease lease = resident.get()) {
                    size = lease.descriptor().size();
                }
                return CompletableFuture.completedFuture(new Loaded(id, size, Duration.ofNanos(System.nanoTime() - start), Origin.RAM));
            }
            ModelDescriptor model = describe(id);
            return cache.admit(model, progress).thenApply(done -> {
                long nanos = System.nanoTime() - start;
                return new Loaded(id, model.size(), Duration.ofNanos(nanos), Origin.DISK);
            }).exceptionallyCompose(failure -> {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                // The file changed between the look-up and the load: look it up again.
                boolean changed = cause instanceof ModelChangedException || cause instanceof StaleModelException;
                return changed && attempt < ATTEMPTS ? preload(id, progress, attempt + 1) : CompletableFuture.failedFuture(cause);
            });
        } catch (StaleModelException e) {
            return attempt < ATTEMPTS ? preload(id, progress, attempt + 1) : CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The hit path: no look-up in the source, one check that the resident copy is still the file's version. */
    @Override
    public Optional<Lease> open(ModelId id) {
        long start = System.nanoTime();
        Optional<Lease> lease = cache.lease(id, Origin.RAM);
        if (lease.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
            return lease;
        }
        describe(id); // an unknown model is an error, not a miss
        statistics.miss(id);
        return lease;
    }

    @Override
    public Lease get(ModelId id) {
        long start = System.nanoTime();
        Optional<Lease> fast = cache.lease(id, Origin.RAM);
        if (fast.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
            return fast.get();
        }
        ModelDescriptor model = describe(id);
        statistics.miss(id);
        for (int attempt = 1; ; attempt++) {
            try {
                Futures.join(cache.admit(model, LoadProgress.NONE));
                Optional<Lease> slow = cache.lease(model, Origin.DISK);
                if (slow.isPresent()) {
                    return slow.get();
                }
            } catch (StaleModelException | ModelChangedException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
            if (attempt >= ATTEMPTS) {
                throw new StaleModelException(id + " was evicted or replaced " + ATTEMPTS + " times while it was being loaded");
            }
            model = describe(id);
        }
    }

    @Override
    public DeviceCopy transfer(ModelId id, int device) {
        return transfer(id, device, TransferOptions.defaults()).copy();
    }

    @Override
    public Transfer transfer(ModelId id, int device, TransferOptions options) {
        return deviceTransfers.transfer(id, device, options);
    }

    @Override
    public boolean evict(ModelId id) {
        return cache.evict(id);
    }

    /** A pin this call added is taken back when the model cannot be loaded: a refused pin leaves nothing pinned. */
    @Override
    public CompletableFuture<Loaded> pin(ModelId id) {
        describe(id);
        boolean added = cache.pin(id);
        return preload(id).whenComplete((loaded, failure) -> {
            if (failure != null && added) {
                cache.unpin(id);
            }
        });
    }

    @Override
    public void unpin(ModelId id) {
        cache.unpin(id);
    }

    @Override
    public void budget(ByteBudget budget) {
        cache.budget(budget);
    }

    @Override
    public long usedBytes() {
        return cache.usedBytes();
    }

    @Override
    public long freeingBytes() {
        return cache.freeingBytes();
    }

    @Override
    public RamStore.Memory memory() {
        return store.memory();
    }

    @Override
    public PreloaderStats stats() {
        return new PreloaderStats(cache.snapshot(), store.reservedBytes(), statistics.hits(), statistics.misses(),
                statistics.bytesLoadedFromDisk(), statistics.transfers(), statistics.bytesTransferred(), statistics.models(),
                replaced.replacing());
    }

    @Override
    public List<ModelId> autoPreload(int count) {
        List<ModelId> top = MostAccessed.servable(statistics.accessCounts(), source, count);
        for (ModelId id : top) {
            preload(id).whenComplete((loaded, failure) -> {
                if (failure != null) {
                    LOG.log(System.Logger.Level.WARNING, "auto-preload of {0} failed: {1}", id, failure.getMessage());
                }
            });
        }
        return top;
    }

    /**
     * Stops following replaced files (no replacement starts a load from then on), saves the access journal, then lets
     * go of everything in this order: the staging pipeline (it unregisters its
     * staging memory from the sink), the cache (every resident model freed, its registration with the sink first, once
     * the loads and releases under way have finished), then the sink (with CUDA its contexts, which nothing may still
     * be registered in). A step that fails does not skip the ones after it; the first failure is thrown.
     */
    @Override
    public void close() {
        Cleanup.runAll(List.of(replaced::close, () -> journal.write(statistics.accessCounts()),
                () -> pipeline.ifPresent(StagingPipeline::close), this::closeCache, () -> sink.ifPresent(VramSink::close)));
    }

    private void closeCache() {
        cache.close();
        loader.shutdown();
        try {
            loader.awaitTermination(30, TimeUnit.SECONDS);
            // After the loads: a load finishing late frees its bytes here, and so do the releases queued before.
            background.shutdown();
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            background.shutdown(); // interrupted above: its queued releases still run, then its thread ends
        }
    }
}
