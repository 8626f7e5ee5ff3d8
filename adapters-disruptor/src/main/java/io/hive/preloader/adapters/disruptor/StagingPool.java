package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.core.port.Cleanup;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Staging memory, one region of {@code slots × chunkSize} bytes per running transfer, registered with the sink the
 * transfer copies to. A transfer that succeeded gives its region back still registered, and the next transfer to
 * the same sink and device takes it as it is (up to {@code idle} regions are kept): the first touch of fresh memory
 * is slow (16 µs a page on the virtual machines here) and registering it costs about 5 ms per 128 MiB, both worth
 * paying once. A transfer that failed or was cancelled discards its region: unregistered, then freed.
 * {@link #close} does the same to every region kept.
 */
final class StagingPool implements AutoCloseable {
    private static final long PAGE = 4096;

    /** Whom a region is registered with: a sink and a device. */
    private record Owner(VramSink sink, int device) {
    }

    /** A region of staging memory, the arena that frees it, and its registration with {@code owner}, if any. */
    static final class Region {
        private final Arena arena;
        private final MemorySegment memory;
        private Owner owner;
        private Optional<HostRegistration> registration = Optional.empty();

        private Region(Arena arena, MemorySegment memory) {
            this.arena = arena;
            this.memory = memory;
        }

        MemorySegment memory() {
            return memory;
        }

        /** Registered (pinned) with the sink, or plain memory where the sink pins nothing. */
        boolean pinned() {
            return registration.map(HostRegistration::pinned).orElse(false);
        }

        private void unregister() {
            registration.ifPresent(HostRegistration::close);
            registration = Optional.empty();
            owner = null;
        }

        /** Unregisters, then frees: the memory must not be unpinned after it is gone. */
        private void free() {
            try {
                unregister();
            } finally {
                arena.close();
            }
        }
    }

    private final long bytes;
    private final int idle;
    private final Deque<Region> free = new ArrayDeque<>();
    private int inUse;
    private boolean closed;

    StagingPool(long bytes, int idle) {
        this.bytes = bytes;
        this.idle = idle;
    }

    /** A region registered with {@code sink} for {@code device} (when the sink pins anything), kept or new. */
    Region acquire(VramSink sink, int device) {
        Region region = take();
        try {
            Owner owner = new Owner(sink, device);
            if (!owner.equals(region.owner)) {
                region.unregister();
                region.registration = sink.register(region.memory, device);
                region.owner = owner;
            }
            return region;
        } catch (RuntimeException | Error e) {
            discard(region);
            throw e;
        }
    }

    private synchronized Region take() {
        if (closed) {
            throw new IllegalStateException("the staging pipeline is closed");
        }
        Region region = free.poll();
        if (region == null) {
            Arena arena = Arena.ofShared();
            try {
                region = new Region(arena, arena.allocate(bytes, PAGE));
            } catch (RuntimeException | OutOfMemoryError e) {
                arena.close();
                throw e;
            }
        }
        inUse++;
        return region;
    }

    /** Gives back the region of a transfer that succeeded: kept, registered, for the next one while there is room. */
    void release(Region region) {
        synchronized (this) {
            inUse--;
            if (!closed && free.size() < idle) {
                free.push(region);
                return;
            }
        }
        region.free();
    }

    /** Gives back the region of a transfer that failed or was cancelled: unregistered and freed at once. */
    void discard(Region region) {
        synchronized (this) {
            inUse--;
        }
        region.free();
    }

    /** Regions held by transfers running now. */
    synchronized int inUse() {
        return inUse;
    }

    /** Regions kept, registered, for later transfers. */
    synchronized int kept() {
        return free.size();
    }

    @Override
    public void close() {
        Deque<Region> regions;
        synchronized (this) {
            closed = true;
            regions = new ArrayDeque<>(free);
            free.clear();
        }
        Cleanup.runAll(regions.stream().<Runnable>map(region -> region::free).toList());
    }
}
