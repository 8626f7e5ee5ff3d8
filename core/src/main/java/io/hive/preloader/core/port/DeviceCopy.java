package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

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

    @Override
    void close();
}
