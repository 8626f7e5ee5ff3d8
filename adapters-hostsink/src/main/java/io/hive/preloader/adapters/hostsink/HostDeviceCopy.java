package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/** A model copied into host memory that stands in for a device's. */
final class HostDeviceCopy extends DeviceAllocation implements DeviceCopy {
    private final Arena arena;
    private final MemorySegment memory;
    private final Duration took;
    private final Runnable release;

    HostDeviceCopy(ModelId model, int device, Arena arena, MemorySegment memory, Duration took, Runnable release) {
        super(model, device, memory.byteSize());
        this.arena = arena;
        this.memory = memory;
        this.took = took;
        this.release = release;
    }

    @Override
    public Duration took() {
        return took;
    }

    /**
     * {@code host:MODEL:BYTES@deviceN}: no other process can open host memory of this one, so there is nothing to hand
     * out, and the address is never shown (it would tell a reader where this process's memory lies).
     */
    @Override
    public String handle() {
        return "host:" + model() + ":" + bytes() + "@device" + device();
    }

    @Override
    public void readBack(long offset, MemorySegment into) {
        MemorySegment.copy(memory, offset, into, 0, into.byteSize());
    }

    /** The copied bytes, for a caller in this process that wants to check them. */
    MemorySegment memory() {
        return memory;
    }

    @Override
    protected void free() {
        arena.close();
        release.run();
    }
}
