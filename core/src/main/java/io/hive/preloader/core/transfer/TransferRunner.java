package io.hive.preloader.core.transfer;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.zip.CRC32C;

/**
 * Carries out a {@link TransferPlan}: the direct plan's chunk loop, the staged plan's hand-over to the pipeline,
 * and the checksum of what reached the device. Each method frees what it allocated when it fails or is cancelled.
 */
public final class TransferRunner {
    /** Copies in flight on the direct plan: enough to keep a DMA engine busy while completions are reported. */
    public static final int DIRECT_LANES = 4;

    private TransferRunner() {
    }

    /**
     * Copies a resident region to the device in one pass, chunk by chunk, {@link #DIRECT_LANES} copies in flight;
     * a sink that does not receive chunks gets the region in one {@link VramSink#copy} call. When {@code checksums}
     * is present, each chunk is hashed while its copy runs.
     */
    public static DeviceCopy direct(VramSink sink, ModelId model, MemorySegment bytes, int device, long chunkSize,
                                    TransferOptions options, Optional<ChunkChecksums> checksums) {
        long size = bytes.byteSize();
        Cancellation cancellation = options.cancellation();
        LoadProgress progress = options.progress();
        checkCancelled(cancellation, model);
        if (!sink.receivesChunks()) {
            checksums.ifPresent(sums -> sums.hashAll(bytes));
            DeviceCopy copy = sink.copy(model, bytes, device);
            try {
                progress.advanced(size, size);
            } catch (RuntimeException | Error failure) {
                copy.close(); // a transfer that fails frees its device memory, even this late
                throw failure;
            }
            return copy;
        }
        try (DeviceWriter writer = sink.allocate(model, size, device, DIRECT_LANES)) {
            CRC32C crc = new CRC32C();
            long[] inFlight = new long[DIRECT_LANES];
            int chunks = (int) ((size + chunkSize - 1) / chunkSize);
            long done = 0;
            long start = System.nanoTime();
            for (int chunk = 0; chunk < chunks; chunk++) {
                int lane = chunk % DIRECT_LANES;
                if (chunk >= DIRECT_LANES) {
                    writer.await(lane);
                    done += inFlight[lane];
                    progress.advanced(done, size);
                }
                checkCancelled(cancellation, model);
                long offset = chunk * chunkSize;
                long length = Math.min(chunkSize, size - offset);
                MemorySegment slice = bytes.asSlice(offset, length);
                writer.copy(offset, slice, lane);
                inFlight[lane] = length;
                if (checksums.isPresent()) {
                    checksums.get().put(chunk, ChunkChecksums.crc32c(crc, slice));
                }
            }
            for (int chunk = Math.max(0, chunks - DIRECT_LANES); chunk < chunks; chunk++) {
                int lane = chunk % DIRECT_LANES;
                writer.await(lane);
                done += inFlight[lane];
                progress.advanced(done, size);
            }
            return writer.finish(Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Runs the source through the pipeline into a fresh device allocation with one lane per staging slot; the
     * allocation is freed when the pipeline fails or is cancelled.
     */
    public static DeviceCopy staged(VramSink sink, StagingPipeline pipeline, ModelId model, ChunkSource source, int device,
                                    TransferOptions options, Optional<ChunkChecksums> checksums) {
        return staged(sink, pipeline, model, source, device, options, checksums, () -> { });
    }

    /**
     * {@link #staged(VramSink, StagingPipeline, ModelId, ChunkSource, int, TransferOptions, Optional)}, telling
     * {@code sourceUnread} exactly once when nothing reads the source any more: at once when the transfer fails before
     * the pipeline runs, else when the pipeline says so ({@link StagingPipeline#run(StagedTransfer, Runnable)}), which
     * may be after this returns.
     */
    public static DeviceCopy staged(VramSink sink, StagingPipeline pipeline, ModelId model, ChunkSource source, int device,
                                    TransferOptions options, Optional<ChunkChecksums> checksums, Runnable sourceUnread) {
        boolean handedOn = false;
        try {
            checkCancelled(options.cancellation(), model);
            try (DeviceWriter writer = sink.allocate(model, source.size(), device, pipeline.slots())) {
                StagedTransfer transfer = new StagedTransfer(model, source, writer, sink, options.progress(), options.cancellation(), checksums);
                handedOn = true;
                return writer.finish(pipeline.run(transfer, sourceUnread));
            }
        } finally {
            if (!handedOn) {
                sourceUnread.run();
            }
        }
    }

    /**
     * Reads the device copy back chunk by chunk and compares each chunk's CRC32C with the source's.
     *
     * @return the whole copy's CRC32C
     * @throws ChecksumMismatchException naming the first chunk that differs (the caller frees the copy)
     */
    public static long verify(DeviceCopy copy, ChunkChecksums source) {
        if (copy.bytes() != source.size()) {
            throw new ChecksumMismatchException("the device copy of " + copy.model() + " holds " + copy.bytes()
                    + " bytes, the source " + source.size());
        }
        ChunkChecksums device = ChunkChecksums.of(source.size(), source.chunkSize());
        CRC32C crc = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, Math.min(source.chunkSize(), source.size())), 4096);
            for (int chunk = 0; chunk < device.chunks(); chunk++) {
                MemorySegment into = buffer.asSlice(0, device.length(chunk));
                copy.readBack(device.offset(chunk), into);
                device.put(chunk, ChunkChecksums.crc32c(crc, into));
            }
        }
        OptionalInt mismatch = source.firstMismatch(device);
        if (mismatch.isPresent()) {
            int chunk = mismatch.getAsInt();
            throw new ChecksumMismatchException(String.format("the device copy of %s on device %d differs from the source in "
                            + "chunk %d (bytes %d to %d): CRC32C 0x%08x on the device, 0x%08x in the source",
                    copy.model(), copy.device(), chunk, device.offset(chunk), device.offset(chunk) + device.length(chunk),
                    device.get(chunk), source.get(chunk)));
        }
        return device.whole();
    }

    private static void checkCancelled(Cancellation cancellation, ModelId model) {
        if (Thread.currentThread().isInterrupted()) {
            cancellation.cancel("interrupted");
        }
        cancellation.throwIfCancelled("transfer of " + model);
    }
}
