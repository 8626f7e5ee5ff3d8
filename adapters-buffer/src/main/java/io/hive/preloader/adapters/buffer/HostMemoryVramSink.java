package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * The sink on machines without a GPU: each "device" is host memory, and every byte is really copied, so the
 * whole spawn path runs and is timed as it would be with a device.
 */
public final class HostMemoryVramSink implements VramSink {
    // The chunk size of a device sink's transfers, so the time measured here compares with theirs.
    private static final long CHUNK = 16L << 20;
    private static final long PAGE = 4096;

    @Override
    public String name() {
        return "host";
    }

    /** @throws IllegalArgumentException when {@code device} is negative */
    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(source, "source");
        if (device < 0) {
            throw new IllegalArgumentException("device " + device + " does not exist: devices are numbered from 0");
        }
        long size = source.byteSize();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment memory = arena.allocate(size, PAGE);
            long start = System.nanoTime();
            for (long offset = 0; offset < size; offset += CHUNK) {
                MemorySegment.copy(source, offset, memory, offset, Math.min(CHUNK, size - offset));
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new HostDeviceCopy(model, device, arena, memory, took);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw new StoreException("copying " + model + " (" + ByteSize.format(size) + ") to host memory for device "
                    + device + " failed: " + e.getMessage(), e);
        }
    }
}
