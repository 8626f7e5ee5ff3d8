package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.ResidentRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model copied into memory this process owns. Both release modes free it: the copy is private, and whatever
 * of the file the page cache holds is the kernel's to keep or drop.
 */
final class NativeRegion implements ResidentRegion {
    private final Arena arena;
    private final MemorySegment bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    NativeRegion(Arena arena, MemorySegment bytes) {
        this.arena = arena;
        this.bytes = bytes.asReadOnly();
    }

    @Override
    public MemorySegment bytes() {
        return bytes;
    }

    /** Every byte, until released: the memory was written by the load, and without swap it cannot be paged out. */
    @Override
    public long residentBytes() {
        return released.get() ? 0 : bytes.byteSize();
    }

    @Override
    public void release(Release how) {
        if (released.compareAndSet(false, true)) {
            arena.close();
        }
    }
}
