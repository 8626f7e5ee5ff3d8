package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** A model copied into host memory that stands in for a device's. */
final class HostDeviceCopy implements DeviceCopy {
    private final ModelId model;
    private final int device;
    private final Arena arena;
    private final MemorySegment memory;
    private final Duration took;
    private final AtomicBoolean closed = new AtomicBoolean();

    HostDeviceCopy(ModelId model, int device, Arena arena, MemorySegment memory, Duration took) {
        this.model = model;
        this.device = device;
        this.arena = arena;
        this.memory = memory;
        this.took = took;
    }

    @Override
    public ModelId model() {
        return model;
    }

    @Override
    public int device() {
        return device;
    }

    @Override
    public long bytes() {
        return memory.byteSize();
    }

    @Override
    public Duration took() {
        return took;
    }

    /** The copy's address in this process, shaped like a device handle: {@code host:0x7f..@device0}. */
    @Override
    public String handle() {
        return String.format("host:0x%x@device%d", memory.address(), device);
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
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }
}
