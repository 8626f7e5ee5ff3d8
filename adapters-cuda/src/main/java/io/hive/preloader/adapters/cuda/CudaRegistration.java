package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.port.HostRegistration;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/** A host region page-locked with {@code cuMemHostRegister_v2}; closing it calls {@code cuMemHostUnregister}. */
final class CudaRegistration implements HostRegistration {
    private final CudaDevice device;
    private final MemorySegment region;
    private final int flags;
    private final AtomicBoolean closed = new AtomicBoolean();

    CudaRegistration(CudaDevice device, MemorySegment region, int flags) {
        this.device = device;
        this.region = region;
        this.flags = flags;
    }

    @Override
    public MemorySegment region() {
        return region;
    }

    @Override
    public boolean pinned() {
        return true;
    }

    /** The flags it was registered with ({@code CU_MEMHOSTREGISTER_*}). */
    int flags() {
        return flags;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            device.makeCurrent();
            device.cuda().unregister(region, "of " + region.byteSize() + " bytes at 0x" + Long.toHexString(region.address()));
        }
    }
}
