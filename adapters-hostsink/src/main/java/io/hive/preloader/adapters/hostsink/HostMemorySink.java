package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.SinkFullException;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink on machines without a GPU: each "device" is host memory, and every byte is really copied, so the
 * whole spawn path runs and is timed as it would be with a device. It copies from any host memory at full speed,
 * so a region needs no pinning (its registration is a no-op), and it receives chunks for the staged plan.
 *
 * <p>Its copies are private memory outside the cache's budget, so they count against a bound of their own: an
 * allocation that would take what they hold past it is refused with a {@link SinkFullException}, and a copy's bytes
 * count until it is closed (or its writer closed unfinished).
 */
public final class HostMemorySink implements VramSink {
    // The chunk size of a device sink's transfers, so the time measured here compares with theirs.
    private static final long CHUNK = 16L << 20;
    private static final long PAGE = 4096;

    private final long limitBytes;
    private final AtomicLong heldBytes = new AtomicLong();

    /** A sink whose copies are bounded only by the memory there is, for a caller that bounds them itself. */
    public HostMemorySink() {
        this(Long.MAX_VALUE);
    }

    /** @param limitBytes the most bytes the copies it holds may take together */
    public HostMemorySink(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the host sink's limit must be at least 1 byte, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    @Override
    public String name() {
        return "host";
    }

    /** The most bytes its copies may take together. */
    public long limitBytes() {
        return limitBytes;
    }

    /** Bytes its copies and unfinished writers hold now. */
    public long heldBytes() {
        return heldBytes.get();
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

    /**
     * @throws IllegalArgumentException when {@code device} is negative or {@code lanes} less than 1
     * @throws SinkFullException        when the copies held and this one would pass the limit
     */
    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        Objects.requireNonNull(model, "model");
        if (device < 0) {
            throw new IllegalArgumentException("device " + device + " does not exist: devices are numbered from 0");
        }
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes " + lanes + " must be 1 or more");
        }
        reserve(model, bytes, device);
        Runnable release = () -> heldBytes.addAndGet(-bytes);
        Arena arena = Arena.ofShared();
        try {
            return new HostDeviceWriter(model, device, lanes, arena, arena.allocate(Math.max(1, bytes), PAGE).asSlice(0, bytes), release);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            release.run();
            throw new StoreException("allocating " + ByteSize.format(bytes) + " of host memory for " + model + " on device "
                    + device + " failed: " + e.getMessage(), e);
        }
    }

    private void reserve(ModelId model, long bytes, int device) {
        long held;
        do {
            held = heldBytes.get();
            if (bytes > limitBytes - held) {
                throw new SinkFullException("the host sink holds " + ByteSize.format(held) + " of copies, and " + ByteSize.format(bytes)
                        + " more for " + model + " on device " + device + " would pass its limit of " + ByteSize.format(limitBytes)
                        + " (host_sink_limit): free a device copy first");
            }
        } while (!heldBytes.compareAndSet(held, held + bytes));
    }
}
