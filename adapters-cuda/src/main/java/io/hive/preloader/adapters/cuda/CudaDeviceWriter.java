package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cleanup;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * A device allocation filled by asynchronous copies on one stream, one event per lane: {@link #copy} queues
 * {@code cuMemcpyHtoDAsync_v2} and records the lane's event after it, {@link #await} synchronises on that event.
 * A stream runs its copies in order, so the device's copy engine stays busy while slots are refilled.
 * Everything the writer made (device memory, stream, events) is freed by {@link #close} unless {@link #finish}
 * handed the memory over.
 */
final class CudaDeviceWriter extends DeviceAllocation implements DeviceWriter {
    private final CudaDevice device;
    private final Cuda cuda;
    private final long pointer;
    private final MemorySegment stream;
    private final MemorySegment[] events;

    private CudaDeviceWriter(CudaDevice device, ModelId model, long pointer, long bytes, MemorySegment stream, MemorySegment[] events) {
        super(model, device.ordinal(), bytes);
        this.device = device;
        this.cuda = device.cuda();
        this.pointer = pointer;
        this.stream = stream;
        this.events = events;
    }

    /** Allocates the memory, the stream and the events; on failure frees what was made before rethrowing. */
    static CudaDeviceWriter open(CudaDevice device, ModelId model, long bytes, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes " + lanes + " must be 1 or more");
        }
        Cuda cuda = device.cuda();
        String doing = "for " + model + " (" + ByteSize.format(bytes) + ") on device " + device.ordinal();
        device.makeCurrent();
        long pointer = 0;
        MemorySegment stream = null;
        MemorySegment[] events = new MemorySegment[lanes];
        try {
            if (bytes > 0) {
                pointer = cuda.allocate(bytes, "allocating " + ByteSize.format(bytes) + " " + doing);
            }
            stream = cuda.createStream(doing);
            for (int lane = 0; lane < lanes; lane++) {
                events[lane] = cuda.createEvent(doing);
            }
            return new CudaDeviceWriter(device, model, pointer, bytes, stream, events);
        } catch (RuntimeException failure) {
            release(cuda, events, stream, pointer, doing, failure);
            throw failure;
        }
    }

    /** Destroys the events and the stream and frees the memory, each step tried even when one before failed. */
    private static RuntimeException release(Cuda cuda, MemorySegment[] events, MemorySegment stream, long pointer, String doing,
                                            RuntimeException first) {
        RuntimeException failure = first;
        for (MemorySegment event : events) {
            if (event != null) {
                failure = Cleanup.attempt(() -> cuda.destroyEvent(event, doing), failure);
            }
        }
        if (stream != null) {
            failure = Cleanup.attempt(() -> cuda.destroyStream(stream, doing), failure);
        }
        if (pointer != 0) {
            failure = Cleanup.attempt(() -> cuda.free(pointer, "freeing " + doing), failure);
        }
        return failure;
    }

    @Override
    public int lanes() {
        return events.length;
    }

    @Override
    public void copy(long offset, MemorySegment chunk, int lane) {
        Objects.checkFromIndexSize(offset, chunk.byteSize(), bytes());
        Objects.checkIndex(lane, events.length);
        if (!chunk.isNative()) {
            throw new IllegalArgumentException("the CUDA sink copies from native memory only");
        }
        device.makeCurrent();
        cuda.copyToDeviceAsync(pointer + offset, chunk, stream, offset, device.ordinal());
        cuda.record(events[lane], stream, lane, device.ordinal());
    }

    @Override
    public void await(int lane) {
        device.makeCurrent();
        cuda.synchronizeEvent(events[lane], lane, device.ordinal());
    }

    @Override
    public void awaitAll() {
        device.makeCurrent();
        cuda.synchronize(stream, "for " + model() + " on device " + device());
    }

    @Override
    public synchronized DeviceCopy finish(Duration took) {
        if (isClosed()) {
            throw new IllegalStateException("the writer for " + model() + " is already finished or closed");
        }
        awaitAll();
        String doing = "for " + model() + " on device " + device();
        RuntimeException failure = release(cuda, events, stream, 0, doing, null);
        handOver(); // the events and stream are gone: the memory is the copy's, or freed below
        if (failure != null) {
            throw release(cuda, new MemorySegment[0], null, pointer, doing, failure);
        }
        return new CudaDeviceCopy(device, model(), pointer, bytes(), took);
    }

    /** Not while {@link #finish} hands the memory over. */
    @Override
    public synchronized void close() {
        super.close();
    }

    /** Waits for the copies in flight (they read host memory the caller is about to free), then frees everything. */
    @Override
    protected void free() {
        RuntimeException failure = Cleanup.attempt(this::awaitAll, null);
        failure = release(cuda, events, stream, pointer, "for " + model() + " on device " + device(), failure);
        if (failure != null) {
            throw failure;
        }
    }
}
