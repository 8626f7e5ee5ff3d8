package io.hive.preloader.core.port;

import java.time.Duration;

/**
 * Moves a model to a device through a ring of staging slots: reader stages fill the slots from resident memory or
 * straight from the model file, a sink stage copies each slot to the device and frees it once that copy has
 * completed. The ring's size bounds the bytes in flight (back-pressure), and its readers work in parallel. A
 * pipeline may keep its staging memory, registered with the sink, for the next transfer; {@link #close} lets it go.
 */
public interface StagingPipeline extends AutoCloseable {

    String name();

    /** Bytes per staging slot: the unit of copies, progress, cancellation and checksums. */
    long chunkSize();

    /** Staging slots in the ring: the copies in flight, hence the lanes the target writer needs. */
    int slots();

    /** Reader stages filling slots in parallel. */
    int readers();

    /**
     * Runs one transfer to completion. Blocks until every chunk has reached the device, or the transfer failed or
     * was cancelled. A failed or cancelled transfer leaves no staging slot, slot registration or thread behind (the
     * caller frees the target); a transfer that succeeded may leave its staging memory, still registered, for the
     * next one. Progress is reported once per chunk as it reaches the device.
     *
     * @return how long the bytes took, from the first byte read to the last byte on the device (setting up the
     *         ring and registering its memory excluded)
     * @throws StoreException               naming the file or call that failed
     * @throws TransferCancelledException   when the transfer's cancellation was triggered or its thread interrupted
     */
    Duration run(StagedTransfer transfer);

    /**
     * {@link #run(StagedTransfer)}, telling {@code sourceUnread} once no stage reads the transfer's source any more,
     * however the transfer ends: the caller may then let the source go (close the lease on resident bytes). By
     * default that is when {@code run} returns or throws, for a pipeline whose stages never outlive it. A pipeline
     * that returns at a stop deadline while a stage stuck in a call may still read the source tells it only once that
     * stage has exited. Told exactly once.
     */
    default Duration run(StagedTransfer transfer, Runnable sourceUnread) {
        try {
            return run(transfer);
        } finally {
            sourceUnread.run();
        }
    }

    /** Frees the staging memory kept between transfers, unregistering it first. By default there is none. */
    @Override
    default void close() {
    }
}
