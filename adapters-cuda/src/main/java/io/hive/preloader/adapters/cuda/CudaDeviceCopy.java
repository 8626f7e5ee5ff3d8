package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/** A model in device memory from {@code cuMemAlloc_v2}; closing it calls {@code cuMemFree_v2}. */
final class CudaDeviceCopy implements DeviceCopy {
    private final CudaDevice device;
    private final ModelId model;
    private final long pointer;
    private final long bytes;
    private final Duration took;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CudaIpcHandle ipc;

    CudaDeviceCopy(CudaDevice device, ModelId model, long pointer, long bytes, Duration took) {
        this.device = device;
        this.model = model;
        this.pointer = pointer;
        this.bytes = bytes;
        this.took = took;
    }

    @Override
    public ModelId model() {
        return model;
    }

    @Override
    public int device() {
        return device.ordinal();
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public Duration took() {
        return took;
    }

    long devicePointer() {
        return pointer;
    }

    /** The CUDA IPC handle of this allocation, made on first use (a failed export is tried again); none once it is freed. */
    CudaIpcHandle ipcHandle() {
        ensureOpen();
        CudaIpcHandle handle = ipc;
        if (handle == null) {
            byte[] raw = new byte[Cuda.IPC_HANDLE_BYTES];
            if (bytes > 0) {
                device.makeCurrent();
                raw = device.cuda().ipcHandle(pointer, "for " + model + " on device " + device.ordinal());
            }
            handle = new CudaIpcHandle(device.ordinal(), bytes, raw);
            ipc = handle;
        }
        return handle;
    }

    /** {@code cuda-ipc:DEVICE:BYTES:HEX}: another process opens it with {@link CudaVramSink#openIpc}. */
    @Override
    public String handle() {
        return ipcHandle().toString();
    }

    /** Copies device bytes back with {@code cuMemcpyDtoH_v2}. */
    @Override
    public void readBack(long offset, MemorySegment into) {
        Objects.checkFromIndexSize(offset, into.byteSize(), bytes);
        ensureOpen();
        if (into.byteSize() == 0) {
            return;
        }
        device.makeCurrent();
        device.cuda().copyToHost(into, pointer + offset, "reading " + into.byteSize() + " bytes of " + model + " back from device "
                + device.ordinal() + " at offset " + offset);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the device copy of " + model + " on device " + device.ordinal() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && bytes > 0) {
            device.makeCurrent();
            device.cuda().free(pointer, "freeing " + model + " on device " + device.ordinal());
        }
    }
}
