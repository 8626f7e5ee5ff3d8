package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceAllocation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink over host memory that behaves like a device with a DMA engine: a chunk copy is only carried out when its
 * lane is awaited, so a caller that reuses a chunk's memory before awaiting its lane sends wrong bytes. It counts
 * what is live (allocations, registrations), records misuse (a copy on a busy lane, an unregistration after the
 * region was freed, or after the sink was closed; the sink closed with registrations live) and can be told to fail or
 * to corrupt a byte.
 */
public final class FakeVramSink implements VramSink {
    private final boolean pinnable;
    private final Set<Object> liveAllocations = ConcurrentHashMap.newKeySet();
    private final Set<Object> liveRegistrations = ConcurrentHashMap.newKeySet();
    private final List<String> misuse = new CopyOnWriteArrayList<>();
    private final AtomicInteger registrations = new AtomicInteger();
    private final AtomicInteger copies = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile StoreException allocateFailure;
    private volatile int failCopyNumber = -1;
    private volatile long corruptOffset = -1;
    private volatile boolean closed;

    public FakeVramSink(boolean pinnable) {
        this.pinnable = pinnable;
    }

    @Override
    public String name() {
        return "fake";
    }

    public void failAllocation(StoreException failure) {
        allocateFailure = failure;
    }

    /** The {@code n}-th chunk copy (from 1, counted over the sink's life) fails. */
    public void failCopy(int n) {
        failCopyNumber = n;
    }

    /** Device copies made from now on have this byte flipped. */
    public void corrupt(long offset) {
        corruptOffset = offset;
    }

    public int liveAllocations() {
        return liveAllocations.size();
    }

    public int liveRegistrations() {
        return liveRegistrations.size();
    }

    /** Registrations made over the sink's life. */
    public int registrations() {
        return registrations.get();
    }

    /** Chunk copies started over the sink's life. */
    public int copies() {
        return copies.get();
    }

    public int maxCopiesInFlight() {
        return maxInFlight.get();
    }

    public List<String> misuse() {
        return List.copyOf(misuse);
    }

    public boolean closed() {
        return closed;
    }

    /** A device driver's contexts go with the sink: registrations still live then are misuse. */
    @Override
    public void close() {
        if (!closed && !liveRegistrations.isEmpty()) {
            misuse.add("the sink was closed with " + liveRegistrations.size() + " registrations live");
        }
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the fake sink is closed");
        }
    }

    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        try (DeviceWriter writer = allocate(model, source.byteSize(), device, 1)) {
            if (source.byteSize() > 0) {
                writer.copy(0, source, 0);
            }
            return writer.finish(Duration.ofNanos(1));
        }
    }

    @Override
    public Optional<HostRegistration> register(MemorySegment region, int device) {
        if (!pinnable) {
            return Optional.empty();
        }
        ensureOpen();
        registrations.incrementAndGet();
        Object token = new Object();
        liveRegistrations.add(token);
        AtomicBoolean closed = new AtomicBoolean();
        return Optional.of(new HostRegistration() {
            @Override
            public MemorySegment region() {
                return region;
            }

            @Override
            public boolean pinned() {
                return true;
            }

            @Override
            public void close() {
                if (closed.compareAndSet(false, true)) {
                    if (!region.scope().isAlive()) {
                        misuse.add("a region was unregistered after it was freed");
                    }
                    if (FakeVramSink.this.closed) {
                        misuse.add("a region was unregistered after the sink was closed");
                    }
                    liveRegistrations.remove(token);
                }
            }
        });
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        if (device < 0) {
            throw new IllegalArgumentException("device " + device + " does not exist");
        }
        ensureOpen();
        StoreException failure = allocateFailure;
        if (failure != null) {
            throw failure;
        }
        return new Writer(model, bytes, device, lanes);
    }

    private final class Writer extends DeviceAllocation implements DeviceWriter {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment memory;
        private final MemorySegment[] pendingChunk;
        private final long[] pendingOffset;
        private final AtomicInteger inFlight = new AtomicInteger();

        Writer(ModelId model, long bytes, int device, int lanes) {
            super(model, device, bytes);
            this.memory = arena.allocate(Math.max(1, bytes)).asSlice(0, bytes);
            this.pendingChunk = new MemorySegment[lanes];
            this.pendingOffset = new long[lanes];
            liveAllocations.add(this);
        }

        @Override
        public int lanes() {
            return pendingChunk.length;
        }

        @Override
        public void copy(long offset, MemorySegment chunk, int lane) {
            if (copies.incrementAndGet() == failCopyNumber) {
                throw new StoreException("fake device " + device() + ": copy " + failCopyNumber + " failed");
            }
            synchronized (this) {
                if (pendingChunk[lane] != null) {
                    misuse.add("a copy was started on lane " + lane + " before its last copy was awaited");
                }
                pendingChunk[lane] = chunk;
                pendingOffset[lane] = offset;
            }
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        }

        /** The "DMA" happens now: the chunk's memory is read when its lane is awaited, not when the copy starts. */
        @Override
        public synchronized void await(int lane) {
            MemorySegment chunk = pendingChunk[lane];
            if (chunk != null) {
                MemorySegment.copy(chunk, 0, memory, pendingOffset[lane], chunk.byteSize());
                pendingChunk[lane] = null;
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void awaitAll() {
            for (int lane = 0; lane < pendingChunk.length; lane++) {
                await(lane);
            }
        }

        @Override
        public DeviceCopy finish(Duration took) {
            awaitAll();
            handOver();
            long corrupt = corruptOffset;
            if (corrupt >= 0 && corrupt < memory.byteSize()) {
                memory.set(ValueLayout.JAVA_BYTE, corrupt, (byte) ~memory.get(ValueLayout.JAVA_BYTE, corrupt));
            }
            return new Copy(this, took);
        }

        @Override
        protected void free() {
            awaitAll();
            release();
        }

        void release() {
            liveAllocations.remove(this);
            arena.close();
        }
    }

    private static final class Copy extends DeviceAllocation implements DeviceCopy {
        private final Writer writer;
        private final Duration took;

        Copy(Writer writer, Duration took) {
            super(writer.model(), writer.device(), writer.bytes());
            this.writer = writer;
            this.took = took;
        }

        @Override
        public Duration took() {
            return took;
        }

        @Override
        public String handle() {
            return "fake@device" + device();
        }

        /** The copied bytes, for a test to compare. */
        public MemorySegment memory() {
            return writer.memory;
        }

        @Override
        public void readBack(long offset, MemorySegment into) {
            MemorySegment.copy(writer.memory, offset, into, 0, into.byteSize());
        }

        @Override
        protected void free() {
            writer.release();
        }
    }
}
