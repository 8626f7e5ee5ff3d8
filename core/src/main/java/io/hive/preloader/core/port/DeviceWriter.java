package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * A device allocation for one model, filled chunk by chunk by one transfer. Copies run on {@link #lanes()} lanes:
 * a copy started on a lane may still be reading its chunk after {@link #copy} returns (an asynchronous copy), and
 * {@link #await} returns once it has reached the device. The caller keeps a chunk unchanged until its lane is
 * awaited, and awaits a lane before starting another copy on it. {@code copy} is called from one thread at a time;
 * {@code await} may be called from another.
 *
 * <p>{@link #finish} hands the allocation over as a {@link DeviceCopy}; {@link #close} without {@code finish}
 * waits for the copies in flight, then frees everything the writer allocated (device memory, streams, events).
 */
public interface DeviceWriter extends AutoCloseable {

    int device();

    /** The size of the allocation: the model's size. */
    long bytes();

    /** How many copies may be in flight at once. */
    int lanes();

    /**
     * Starts copying {@code chunk} to {@code offset} of the allocation on {@code lane}.
     *
     * @throws StoreException naming the device and the call that failed
     */
    void copy(long offset, MemorySegment chunk, int lane);

    /**
     * The allocation itself, when the host can write it directly (a sink whose "device" is host memory): a staging
     * pipeline may then fill it in place, chunk by chunk, instead of staging each chunk and copying it again.
     * Empty for real device memory, which is the default.
     */
    default Optional<MemorySegment> hostView() {
        return Optional.empty();
    }

    /** Blocks until the copy last started on {@code lane} has reached the device (returns at once when there is none). */
    void await(int lane);

    /** Blocks until every copy started has reached the device. */
    void awaitAll();

    /**
     * Waits for every copy, then hands the allocation over; the writer is spent and {@code close} does nothing.
     *
     * @param took how long the copy took, from the first byte read to the last byte written
     */
    DeviceCopy finish(Duration took);

    /** Frees the allocation unless {@link #finish} handed it over; closing again does nothing. */
    @Override
    void close();
}
