package io.hive.preloader.adapters.cuda;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Another process's device copy, opened in this one with {@code cuIpcOpenMemHandle_v2}: the same device memory,
 * not a copy of it. Closing it calls {@code cuIpcCloseMemHandle}; the memory stays the exporting process's.
 */
public final class IpcMapping implements AutoCloseable {
    private final CudaDevice device;
    private final CudaIpcHandle handle;
    private final long pointer;
    private final AtomicBoolean closed = new AtomicBoolean();

    IpcMapping(CudaDevice device, CudaIpcHandle handle, long pointer) {
        this.device = device;
        this.handle = handle;
        this.pointer = pointer;
    }

    public int device() {
        return device.ordinal();
    }

    public long bytes() {
        return handle.bytes();
    }

    /** The device address in this process. */
    public long devicePointer() {
        return pointer;
    }

    /** Copies bytes of the shared allocation into host memory with {@code cuMemcpyDtoH_v2}. */
    public void readBack(long offset, MemorySegment into) {
        Objects.checkFromIndexSize(offset, into.byteSize(), handle.bytes());
        if (closed.get()) {
            throw new IllegalStateException("the IPC mapping is closed");
        }
        device.makeCurrent();
        device.cuda().copyToHost(into, pointer + offset, "reading " + into.byteSize() + " bytes of an IPC mapping on device " + device.ordinal());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            device.makeCurrent();
            device.cuda().closeIpcHandle(pointer, "on device " + device.ordinal());
        }
    }
}
