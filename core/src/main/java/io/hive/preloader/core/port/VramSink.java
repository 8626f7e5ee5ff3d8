package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.lang.foreign.MemorySegment;

/** Receives a model's bytes on a device and returns a handle to the device copy. */
public interface VramSink {

    String name();

    /**
     * Copies every byte of {@code source} to {@code device}. On failure nothing stays allocated on the device.
     *
     * @throws StoreException naming the device and the call that failed
     */
    DeviceCopy copy(ModelId model, MemorySegment source, int device);
}
