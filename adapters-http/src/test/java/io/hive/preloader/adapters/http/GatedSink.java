package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host-memory "device" for the API's tests that copies for real, chunk by chunk, and can hold copies at a gate so
 * that a transfer stays in flight while a test shuts the server down. Counts live allocations: every one must be
 * freed in the end, whether the copy was released, the transfer cancelled or the server closed.
 */
final class GatedSink implements VramSink {
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final List<Copy> copies = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate;
    private volatile String handleFailure;
    private final AtomicInteger handles = new AtomicInteger();

    @Override
    public String name() {
        return "gated-host";
    }

    /** Copies wait from now on until {@link #release}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** From now on, making a copy's handle fails as a CUDA IPC export can ({@code cuIpcGetMemHandle}). */
    void failHandles(String why) {
        handleFailure = why;
    }

    int waitingCopies() {
        return waiting.get();
    }

    int liveAllocations() {
        return live.get();
    }

    /** The device memory of the latest finished copy of {@code model}. */
    MemorySegment lastCopyOf(ModelId model) {
        return copies.reversed().stream().filter(c -> c.model().equals(model)).findFirst().orElseThrow().memory;
    }

    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        try (DeviceWriter writer = allocate(model, source.byteSize(), device, 1)) {
            writer.copy(0, source, 0);
            return writer.finish(Duration.ofNanos(1));
        }
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        if (device != 0) {
            throw new StoreException("device " + device + " does not exist: this test machine has device 0 only");
        }
        return new Writer(model, bytes, device, lanes);
    }

    private final class Writer extends DeviceAllocation implements DeviceWriter {
        private final int lanes;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment memory;

        Writer(ModelId model, long bytes, int device, int lanes) {
            super(model, device, bytes);
            this.lanes = lanes;
            this.memory = arena.allocate(Math.max(1, bytes), 4096).asSlice(0, bytes);
            live.incrementAndGet();
        }

        @Override
        public int lanes() {
            return lanes;
        }

        @Override
        public void copy(long offset, MemorySegment chunk, int lane) {
            CountDownLatch g = gate;
            if (g != null) {
                waiting.incrementAndGet();
                try {
                    if (!g.await(60, TimeUnit.SECONDS)) {
                        throw new StoreException("test gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted at the test gate", e);
                } finally {
                    waiting.decrementAndGet();
                }
            }
            MemorySegment.copy(chunk, 0, memory, offset, chunk.byteSize());
        }

        @Override
        public void await(int lane) {
        }

        @Override
        public void awaitAll() {
        }

        @Override
        public DeviceCopy finish(Duration took) {
            handOver();
            Copy copy = new Copy(model(), device(), arena, memory, took);
            copies.add(copy);
            return copy;
        }

        @Override
        protected void free() {
            arena.close();
            live.decrementAndGet();
        }
    }

    private final class Copy extends DeviceAllocation implements DeviceCopy {
        private final Arena arena;
        private final MemorySegment memory;
        private final Duration took;

        Copy(ModelId model, int device, Arena arena, MemorySegment memory, Duration took) {
            super(model, device, memory.byteSize());
            this.arena = arena;
            this.memory = memory;
            this.took = took;
        }

        @Override
        public Duration took() {
            return took;
        }

        /** Shaped like a CUDA IPC handle: what another process would open the copy with. */
        @Override
        public String handle() {
            String failure = handleFailure;
            if (failure != null) {
                throw new StoreException("cuIpcGetMemHandle failed: " + failure + " for " + model() + " on device " + device());
            }
            return "gated-ipc:" + device() + ":" + bytes() + ":" + handles.incrementAndGet();
        }

        @Override
        public void readBack(long offset, MemorySegment into) {
            MemorySegment.copy(memory, offset, into, 0, into.byteSize());
        }

        @Override
        protected void free() {
            arena.close();
            live.decrementAndGet();
        }
    }
}
