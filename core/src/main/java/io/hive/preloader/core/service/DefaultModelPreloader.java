package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.ModelCache;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import io.hive.preloader.core.transfer.TransferPlanner;
import io.hive.preloader.core.transfer.TransferRunner;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** The preloader a builder makes: looks models up in the source, keeps them in the cache, counts what happens. */
final class DefaultModelPreloader implements ModelPreloader {
    private static final System.Logger LOG = System.getLogger(DefaultModelPreloader.class.getName());
    /** A load can be superseded by a file replaced mid-load; a few retries cover a file that settles. */
    private static final int ATTEMPTS = 3;

    private final ModelSource source;
    private final ModelCache cache;
    private final Optional<VramSink> sink;
    private final AccessJournal journal;
    private final AccessStatistics statistics;
    private final ExecutorService loader;
    private final Transfers transfers;

    /** How transfers run: the staging pipeline if any, the plan when a call names none, the direct plan's chunk. */
    record Transfers(Optional<StagingPipeline> pipeline, PlanMode plan, long chunkSize) {
    }

    DefaultModelPreloader(ModelSource source, RamStore store, EvictionPolicy policy, ByteBudget budget,
                          Optional<VramSink> sink, AccessJournal journal, InstantSource clock, ExecutorService loader,
                          Transfers transfers) {
        this.source = source;
        this.sink = sink;
        this.transfers = transfers;
        this.journal = journal;
        this.loader = loader;
        this.cache = new ModelCache(store, policy, budget, loader);
        this.statistics = new AccessStatistics(clock, journal.read());
        cache.addListener((id, bytes, reason) -> {
            statistics.evicted(id);
            LOG.log(System.Logger.Level.INFO, "evicted {0} ({1} bytes): {2}", id, bytes, reason);
        });
        // Counted where the load happens: callers sharing one load must not count its bytes once each.
        cache.addLoadListener(statistics::loadedFromDisk);
    }

    @Override
    public List<ModelDescriptor> catalog() {
        return source.list();
    }

    private ModelDescriptor describe(ModelId id) {
        return source.find(id).orElseThrow(() -> new UnknownModelException(id));
    }

    @Override
    public CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress) {
        return preload(id, progress, 1);
    }

    private CompletableFuture<Loaded> preload(ModelId id, LoadProgress progress, int attempt) {
        long start = System.nanoTime();
        ModelDescriptor model;
        try {
            model = describe(id);
            if (cache.lease(model, Origin.RAM).map(lease -> {
                lease.close();
                return true;
            }).orElse(false)) {
                return CompletableFuture.completedFuture(new Loaded(id, model.size(), Duration.ofNanos(System.nanoTime() - start), Origin.RAM));
            }
            return cache.admit(model, progress).thenApply(resident -> {
                long nanos = System.nanoTime() - start;
                return new Loaded(id, model.size(), Duration.ofNanos(nanos), Origin.DISK);
            }).exceptionallyCompose(failure -> {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                // The file changed between the look-up and the load: look it up again.
                boolean changed = cause instanceof ModelChangedException || cause instanceof StaleModelException;
                return changed && attempt < ATTEMPTS ? preload(id, progress, attempt + 1) : CompletableFuture.failedFuture(cause);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Optional<Lease> open(ModelId id) {
        long start = System.nanoTime();
        Optional<Lease> lease = cache.lease(describe(id), Origin.RAM);
        if (lease.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
        } else {
            statistics.miss(id);
        }
        return lease;
    }

    @Override
    public Lease get(ModelId id) {
        long start = System.nanoTime();
        ModelDescriptor model = describe(id);
        Optional<Lease> fast = cache.lease(model, Origin.RAM);
        if (fast.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
            return fast.get();
        }
        statistics.miss(id);
        for (int attempt = 1; ; attempt++) {
            try {
                join(cache.admit(model, LoadProgress.NONE));
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

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    @Override
    public DeviceCopy transfer(ModelId id, int device) {
        return transfer(id, device, TransferOptions.defaults()).copy();
    }

    @Override
    public Transfer transfer(ModelId id, int device, TransferOptions options) {
        VramSink target = sink.orElseThrow(() -> new IllegalStateException("no VramSink is configured: set sink(...) on the builder"));
        long start = System.nanoTime();
        PlanMode mode = options.plan().orElse(transfers.plan());
        boolean pipelineUsable = transfers.pipeline().isPresent() && target.receivesChunks();
        if (mode == PlanMode.STAGED && !pipelineUsable) {
            throw new IllegalStateException("plan staged needs a staging pipeline and a sink that receives chunks; "
                    + (transfers.pipeline().isEmpty() ? "no pipeline is configured" : "the " + target.name() + " sink does not"));
        }
        ModelDescriptor model = describe(id);
        Optional<Lease> fast = cache.lease(model, Origin.RAM);
        if (fast.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
        } else {
            Optional<TransferPlan> streamed = TransferPlanner.forAbsent(mode, pipelineUsable);
            if (streamed.isPresent()) {
                statistics.miss(id);
                return fromDisk(target, model, device, streamed.get(), options, start);
            }
        }
        try (Lease lease = fast.isPresent() ? fast.get() : get(id)) {
            TransferPlan plan = TransferPlanner.forResident(mode, pipelineUsable, () -> pin(lease, target, device));
            long chunk = plan instanceof TransferPlan.Staged ? transfers.pipeline().orElseThrow().chunkSize() : transfers.chunkSize();
            Optional<ChunkChecksums> checksums = checksums(options, lease.bytes().byteSize(), chunk);
            DeviceCopy copy = switch (plan) {
                case TransferPlan.Direct _ -> TransferRunner.direct(target, id, lease.bytes(), device, chunk, options, checksums);
                case TransferPlan.Staged _ -> TransferRunner.staged(target, transfers.pipeline().orElseThrow(), id,
                        new ChunkSource.Memory(lease.bytes()), device, options, checksums);
            };
            return finish(copy, plan, checksums, start);
        }
    }

    /** Streams a model that is not resident straight from its file; a file replaced meanwhile fails the transfer. */
    private Transfer fromDisk(VramSink target, ModelDescriptor model, int device, TransferPlan plan, TransferOptions options, long start) {
        StagingPipeline pipeline = transfers.pipeline().orElseThrow();
        Optional<ChunkChecksums> checksums = checksums(options, model.size(), pipeline.chunkSize());
        DeviceCopy copy = TransferRunner.staged(target, pipeline, model.id(), new ChunkSource.ModelFile(model.path(), model.size()),
                device, options, checksums);
        boolean unchanged;
        try {
            unchanged = source.find(model.id()).map(now -> now.fingerprint().equals(model.fingerprint())).orElse(false);
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
        if (!unchanged) {
            copy.close();
            throw new StaleModelException(model.id() + " was replaced or removed on disk while it streamed to device " + device);
        }
        return finish(copy, plan, checksums, start);
    }

    /** Registers the resident region with the sink once per resident copy; the registration goes when the bytes go. */
    private static TransferPlanner.Pinning pin(Lease lease, VramSink target, int device) {
        Optional<HostRegistration> registration = lease.attachment("registration with the " + target.name() + " sink",
                region -> target.register(region, device));
        return registration.map(r -> r.pinned() ? TransferPlanner.Pinning.PINNED : TransferPlanner.Pinning.UNNEEDED)
                .orElse(TransferPlanner.Pinning.REFUSED);
    }

    private static Optional<ChunkChecksums> checksums(TransferOptions options, long size, long chunk) {
        return options.checksum() ? Optional.of(ChunkChecksums.of(size, chunk)) : Optional.empty();
    }

    private Transfer finish(DeviceCopy copy, TransferPlan plan, Optional<ChunkChecksums> checksums, long start) {
        OptionalLong crc = OptionalLong.empty();
        if (checksums.isPresent()) {
            try {
                crc = OptionalLong.of(TransferRunner.verify(copy, checksums.get()));
            } catch (RuntimeException e) {
                copy.close();
                throw e;
            }
        }
        statistics.transferred(copy.bytes());
        LOG.log(System.Logger.Level.DEBUG, "transferred {0} to device {1}: {2}", copy.model(), copy.device(), plan);
        return new Transfer(copy, plan, crc, Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public boolean evict(ModelId id) {
        return cache.evict(id);
    }

    @Override
    public CompletableFuture<Loaded> pin(ModelId id) {
        describe(id);
        cache.pin(id);
        return preload(id);
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
    public PreloaderStats stats() {
        return new PreloaderStats(cache.snapshot(), statistics.hits(), statistics.misses(), statistics.bytesLoadedFromDisk(),
                statistics.transfers(), statistics.bytesTransferred(), statistics.models());
    }

    @Override
    public List<ModelId> autoPreload(int count) {
        Map<ModelId, Long> counts = statistics.accessCounts();
        List<ModelId> top = counts.entrySet().stream()
                .filter(e -> e.getValue() > 0 && source.find(e.getKey()).isPresent())
                .sorted(Map.Entry.<ModelId, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(count)
                .map(Map.Entry::getKey)
                .toList();
        for (ModelId id : top) {
            preload(id).whenComplete((loaded, failure) -> {
                if (failure != null) {
                    LOG.log(System.Logger.Level.WARNING, "auto-preload of {0} failed: {1}", id, failure.getMessage());
                }
            });
        }
        return top;
    }

    @Override
    public void close() {
        try {
            journal.write(statistics.accessCounts());
        } finally {
            cache.close();
            loader.shutdown();
            try {
                loader.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
