package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StagingPipeline;

import java.time.Duration;
import java.util.Objects;

/**
 * A {@link StagingPipeline} over an LMAX Disruptor ring whose entries are staging chunks of host memory. Each
 * transfer gets its own ring (entries preallocated, nothing allocated per chunk): {@code readers} reader stages
 * fill slots in parallel from resident memory or straight from the file (positional reads), a sink stage starts
 * each slot's copy to the device, and a completion stage waits for that copy before the slot can be refilled.
 * The ring's size bounds the bytes in flight. The staging memory is registered with the sink (pinned with CUDA)
 * and kept, registered, for the next transfer to the same sink and device; a failed or cancelled transfer frees its
 * own. A target in host memory (the host sink) is filled in place: no staging memory at all.
 */
public final class DisruptorTransferPipeline implements StagingPipeline {
    /** Staging regions kept between transfers. */
    private static final int IDLE_REGIONS = 2;
    /** How long a stopped transfer waits for its stages before it gives up on them (one that is stuck in a call). */
    static final Duration STOP_BOUND = Duration.ofMinutes(1);

    private final long chunkSize;
    private final int readers;
    private final int slots;
    private final StagingPool pool;
    private final Duration stopBound;

    /** A ring of two slots per reader (rounded up to a power of two), as measured best for a staging ring. */
    public DisruptorTransferPipeline(long chunkSize, int readers) {
        this(chunkSize, readers, Integer.highestOneBit(Math.max(2, 2 * readers) * 2 - 1));
    }

    /**
     * @param chunkSize bytes per slot, 4 KiB to 1 GiB, a multiple of 4 KiB
     * @param readers   reader stages, 1 to 256
     * @param slots     slots in the ring, a power of two, at least 2
     */
    public DisruptorTransferPipeline(long chunkSize, int readers, int slots) {
        this(chunkSize, readers, slots, STOP_BOUND);
    }

    /** @param stopBound how long a stopped transfer waits for its stages (tests shorten it) */
    DisruptorTransferPipeline(long chunkSize, int readers, int slots, Duration stopBound) {
        if (chunkSize < 4096 || chunkSize > (1L << 30) || chunkSize % 4096 != 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " must be a multiple of 4 KiB from 4 KiB to 1 GiB");
        }
        if (readers < 1 || readers > 256) {
            throw new IllegalArgumentException("readers " + readers + " must be from 1 to 256");
        }
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots " + slots + " must be a power of two, at least 2");
        }
        this.chunkSize = chunkSize;
        this.readers = readers;
        this.slots = slots;
        this.pool = new StagingPool(chunkSize * slots, IDLE_REGIONS);
        this.stopBound = stopBound;
    }

    @Override
    public String name() {
        return "disruptor";
    }

    @Override
    public long chunkSize() {
        return chunkSize;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int readers() {
        return readers;
    }

    @Override
    public Duration run(StagedTransfer transfer) {
        return run(transfer, () -> { });
    }

    /** Tells {@code sourceUnread} only once every stage has exited: after a stuck one lets go, if one was stuck. */
    @Override
    public Duration run(StagedTransfer transfer, Runnable sourceUnread) {
        TransferRun run;
        try {
            run = new TransferRun(this, Objects.requireNonNull(transfer, "transfer"), sourceUnread);
        } catch (RuntimeException | Error e) {
            sourceUnread.run();
            throw e;
        }
        return run.run();
    }

    StagingPool pool() {
        return pool;
    }

    Duration stopBound() {
        return stopBound;
    }

    /** Staging slots held by transfers running now. */
    int liveSlots() {
        return pool.inUse() * slots;
    }

    /** Staging regions kept, still registered, for later transfers. */
    int keptRegions() {
        return pool.kept();
    }

    /** Unregisters and frees the staging memory kept for later transfers. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "disruptor ring of " + slots + " × " + ByteSize.format(chunkSize) + ", " + readers + " readers";
    }
}
