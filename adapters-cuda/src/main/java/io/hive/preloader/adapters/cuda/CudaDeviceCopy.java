package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/** A model in device memory from {@code cuMemAlloc_v2}; closing it calls {@code cuMemFree_v2}. */
final class CudaDeviceCopy extends DeviceAllocation implements DeviceCopy {
    private final CudaDevice device;
    private final long pointer;
    private final Duration took;
    private volatile CudaIpcHandle ipc;

    CudaDeviceCopy(CudaDevice device, ModelId model, long pointer, long bytes, Duration took) {
        super(model, device.ordinal(), bytes);
        this.device = device;
        this.pointer = pointer;
        this.took = took;
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
        ensureOpen("the device copy");
        CudaIpcHandle handle = ipc;
        if (handle == null) {
            byte[] raw = new byte[Cuda.IPC_HANDLE_BYTES];
            if (bytes() > 0) {
                device.makeCurrent();
                raw = device.cuda().ipcHandle(pointer, "for " + model() + " on device " + device());
            }
            handle = new CudaIpcHandle(device(), bytes(), raw);
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
        Objects.checkFromIndexSize(offset, into.byteSize(), bytes());
        ensureOpen("the device copy");
        if (into.byteSize() == 0) {
            return;
        }
        device.makeCurrent();
        device.cuda().copyToHost(into, pointer + offset, "reading " + into.byteSize() + " bytes of " + model() + " back from device "
                + device() + " at offset " + offset);
    }

    @Override
    protected void free() {
        if (bytes() > 0) {
            device.makeCurrent();
            device.cuda().free(pointer, "freeing " + model() + " on device " + device());
        }
    }
}
