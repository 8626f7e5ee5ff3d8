package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The sink on machines without a GPU: each "device" is host memory, and every byte is really copied, so the
 * whole spawn path runs and is timed as it would be with a device. It copies from any host memory at full speed,
 * so a region needs no pinning (its registration is a no-op), and it receives chunks for the staged plan.
 */
public final class HostMemorySink implements VramSink {
    // The chunk size of a device sink's transfers, so the time measured here compares with theirs.
    private static final long CHUNK = 16L << 20;
    private static final long PAGE = 4096;

    @Override
    public String name() {
        return "host";
    }

    /** Allocates as {@link #allocate} does and fills the memory chunk by chunk. */
    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        long size = source.byteSize();
        DeviceWriter writer = allocate(model, size, device, 1);
        try {
            long start = System.nanoTime();
            for (long offset = 0; offset < size; offset += CHUNK) {
                writer.copy(offset, source.asSlice(offset, Math.min(CHUNK, size - offset)), 0);
            }
            return writer.finish(Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            writer.close();
            throw new StoreException("copying " + model + " (" + ByteSize.format(size) + ") to host memory for device "
                    + device + " failed: " + e.getMessage(), e);
        }
    }

    /** Host memory needs no pinning: the registration is a no-op that says so. */
    @Override
    public Optional<HostRegistration> register(MemorySegment region, int device) {
        return Optional.of(HostRegistration.unneeded(region));
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    /** @throws IllegalArgumentException when {@code device} is negative or {@code lanes} less than 1 */
    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        Objects.requireNonNull(model, "model");
        if (device < 0) {
            throw new IllegalArgumentException("device " + device + " does not exist: devices are numbered from 0");
        }
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes " + lanes + " must be 1 or more");
        }
        Arena arena = Arena.ofShared();
        try {
            return new HostDeviceWriter(model, device, lanes, arena, arena.allocate(Math.max(1, bytes), PAGE).asSlice(0, bytes));
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw new StoreException("allocating " + ByteSize.format(bytes) + " of host memory for " + model + " on device "
                    + device + " failed: " + e.getMessage(), e);
        }
    }
}
