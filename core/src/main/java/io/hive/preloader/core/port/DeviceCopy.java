package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/** A model's bytes on a device. Closing it frees the device memory. */
public interface DeviceCopy extends AutoCloseable {

    ModelId model();

    int device();

    long bytes();

    /** How long the copy took, from the first byte read to the last byte written. */
    Duration took();

    /** What another process needs to use this copy: a device address, an IPC handle, a shared file. */
    String handle();

    default double gigabytesPerSecond() {
        long nanos = Math.max(1, took().toNanos());
        return bytes() / (double) nanos;
    }

    /**
     * Copies {@code into.byteSize()} bytes of the device copy, from {@code offset}, into host memory: how a
     * transfer checks what reached the device. {@code into} is native memory.
     *
     * @throws UnsupportedOperationException when the sink cannot read its copies back
     */
    default void readBack(long offset, MemorySegment into) {
        throw new UnsupportedOperationException("a device copy of " + model() + " on device " + device() + " cannot be read back");
    }

    @Override
    void close();
}
