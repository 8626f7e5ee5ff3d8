package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.ResidentRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A model copied into memory this process owns. Both release modes free it: the copy is private, and whatever of the
 * file the page cache holds is the kernel's to keep or drop. An eviction that makes room for the load that follows
 * ({@link Release#MAKE_ROOM}) hands the memory to {@code makingRoom}, which may keep it for that load
 * ({@link SpareMemory}); any other release unmaps it.
 */
final class NativeRegion implements ResidentRegion {
    private final Arena view;
    private final MemorySegment bytes;
    private final CopyMemory memory;
    private final Consumer<CopyMemory> makingRoom;
    private final AtomicBoolean released = new AtomicBoolean();

    /** @param view the arena of {@code bytes}, a view of {@code memory}; closing it makes the bytes unreadable */
    NativeRegion(Arena view, MemorySegment bytes, CopyMemory memory, Consumer<CopyMemory> makingRoom) {
        this.view = view;
        this.bytes = bytes;
        this.memory = memory;
        this.makingRoom = makingRoom;
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
            try {
                view.close(); // waits out any access in flight; from here no reader can reach the memory
            } catch (IllegalStateException e) {
                // A reader is inside a native call on the bytes (a copy in flight): nothing is freed, and the release
                // fails as it is, to be done again once the call is out (the cache keeps the bytes charged meanwhile).
                released.set(false);
                throw e;
            }
            if (how == Release.MAKE_ROOM) {
                makingRoom.accept(memory);
            } else {
                memory.unmap();
            }
        }
    }
}
