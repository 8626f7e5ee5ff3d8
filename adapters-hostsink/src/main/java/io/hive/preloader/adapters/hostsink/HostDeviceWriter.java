package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Host memory standing in for a device allocation, filled chunk by chunk. A copy is done when {@link #copy}
 * returns (a CPU copy has no engine to run it in the background), so awaiting a lane returns at once. The memory is
 * offered as a {@linkplain #hostView host view}, so a staging pipeline can fill it in place rather than copy every
 * byte twice.
 */
final class HostDeviceWriter extends DeviceAllocation implements DeviceWriter {
    private final int lanes;
    private final Arena arena;
    private final MemorySegment memory;
    private final Runnable release;

    /** @param release gives the bytes back to the sink's bound once the memory is freed */
    HostDeviceWriter(ModelId model, int device, int lanes, Arena arena, MemorySegment memory, Runnable release) {
        super(model, device, memory.byteSize());
        this.lanes = lanes;
        this.arena = arena;
        this.memory = memory;
        this.release = release;
    }

    @Override
    public int lanes() {
        return lanes;
    }

    @Override
    public Optional<MemorySegment> hostView() {
        return Optional.of(memory);
    }

    @Override
    public void copy(long offset, MemorySegment chunk, int lane) {
        Objects.checkIndex(lane, lanes);
        MemorySegment.copy(chunk, 0, memory, offset, chunk.byteSize());
    }

    @Override
    public void await(int lane) {
        Objects.checkIndex(lane, lanes);
    }

    @Override
    public void awaitAll() {
    }

    @Override
    public DeviceCopy finish(Duration took) {
        if (!handOver()) {
            throw new IllegalStateException("the writer for " + model() + " is already finished or closed");
        }
        return new HostDeviceCopy(model(), device(), arena, memory, took, release);
    }

    @Override
    protected void free() {
        arena.close();
        release.run();
    }
}
