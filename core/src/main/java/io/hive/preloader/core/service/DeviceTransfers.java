package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.ModelCache;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import io.hive.preloader.core.transfer.TransferPlanner;
import io.hive.preloader.core.transfer.TransferRunner;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The preloader's transfers to a device: the plan core chooses (or the one asked for), from the resident copy when
 * there is one (a hit), else straight from the file through the pipeline, else after loading it ({@code get}).
 */
final class DeviceTransfers {
    private static final System.Logger LOG = System.getLogger(DeviceTransfers.class.getName());

    private final ModelSource source;
    private final ModelChecks checks;
    private final ModelCache cache;
    private final AccessStatistics statistics;
    private final Optional<VramSink> sink;
    private final DefaultModelPreloader.Transfers transfers;
    private final Function<ModelId, Lease> get;

    DeviceTransfers(ModelSource source, ModelChecks checks, ModelCache cache, AccessStatistics statistics, Optional<VramSink> sink,
                    DefaultModelPreloader.Transfers transfers, Function<ModelId, Lease> get) {
        this.source = source;
        this.checks = checks;
        this.cache = cache;
        this.statistics = statistics;
        this.sink = sink;
        this.transfers = transfers;
        this.get = get;
    }

    /** @see ModelPreloader#transfer(ModelId, int, TransferOptions) */
    Transfer transfer(ModelId id, int device, TransferOptions options) {
        VramSink target = sink.orElseThrow(() -> new IllegalStateException("no VramSink is configured: set sink(...) on the builder"));
        long start = System.nanoTime();
        PlanMode mode = options.plan().orElse(transfers.plan());
        boolean pipelineUsable = transfers.pipeline().isPresent() && target.receivesChunks();
        if (mode == PlanMode.STAGED && !pipelineUsable) {
            throw new IllegalStateException("plan staged needs a staging pipeline and a sink that receives chunks; "
                    + (transfers.pipeline().isEmpty() ? "no pipeline is configured" : "the " + target.name() + " sink does not"));
        }
        Optional<Lease> fast = cache.lease(id, Origin.RAM);
        if (fast.isPresent()) {
            statistics.hit(id, System.nanoTime() - start);
        } else {
            ModelDescriptor model = checks.admissible(id); // streamed from disk: as checked as a load
            Optional<TransferPlan> streamed = TransferPlanner.forAbsent(mode, pipelineUsable);
            if (streamed.isPresent()) {
                statistics.miss(id);
                return fromDisk(target, model, device, streamed.get(), options, start);
            }
        }
        Lease lease = fast.isPresent() ? fast.get() : get.apply(id);
        // The lease keeps the bytes until nothing reads them: the direct plan reads on this thread; the pipeline's
        // stages may outlive its run (one stuck at the stop deadline), so it says when its source is unread.
        boolean closedByThePipeline = false;
        try {
            TransferPlan plan = TransferPlanner.forResident(mode, pipelineUsable, () -> pin(lease, target, device));
            long chunk = plan instanceof TransferPlan.Staged ? transfers.pipeline().orElseThrow().chunkSize() : transfers.chunkSize();
            Optional<ChunkChecksums> checksums = checksums(options, lease.bytes().byteSize(), chunk);
            DeviceCopy copy;
            if (plan instanceof TransferPlan.Staged) {
                ChunkSource resident = new ChunkSource.Memory(lease.bytes());
                closedByThePipeline = true;
                copy = TransferRunner.staged(target, transfers.pipeline().orElseThrow(), id, resident, device, options, checksums, lease::close);
            } else {
                copy = TransferRunner.direct(target, id, lease.bytes(), device, chunk, options, checksums);
            }
            return finish(copy, plan, checksums, start);
        } finally {
            if (!closedByThePipeline) {
                lease.close();
            }
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
}
