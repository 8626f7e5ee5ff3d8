package io.hive.preloader.linux;

import io.hive.preloader.core.port.Uninterruptibly;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faults in fresh memory ahead of the threads that fill it, on a thread of its own, with
 * {@code madvise(MADV_POPULATE_WRITE)} (Linux 5.14): on these virtual machines the first touch of a page costs more
 * than copying into it, and a thread that only faults keeps the cost off the copying threads' path, on a CPU that
 * would otherwise wait for a read.
 *
 * <p>It never faults behind the fillers: each chunk starts at least at the end of the last range a filler
 * {@linkplain #claimed claimed}, whose copy faults its own pages. It is advice: where the kernel lacks the call, or
 * memory runs out, it stops, and the filler's own write meets the failure, at its exact byte (a {@code read(2)} into
 * the memory fails with EFAULT, which the filler reports).
 */
public final class Prefaulter {
    /** Small enough to jump to the fillers' front soon after it moves. */
    static final long CHUNK = 8L << 20;

    private final MemorySegment memory;
    private final AtomicLong front = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;

    private Prefaulter(MemorySegment memory, long from, String name) {
        this.memory = memory;
        this.front.set(from);
        this.thread = from < memory.byteSize() ? Thread.ofPlatform().daemon().name(name).start(this::run) : null;
    }

    /**
     * Starts faulting in {@code memory} from byte {@code from} (page-aligned; the bytes before it are backed already)
     * to its end. {@code memory} must start on a page and stay mapped until {@link #stop} returns.
     */
    public static Prefaulter start(MemorySegment memory, long from, String name) {
        if (from % Libc.pageSize() != 0) {
            throw new IllegalArgumentException("prefaulting from byte " + from + ", which is not on a page");
        }
        return new Prefaulter(memory, from, name);
    }

    /** A filler took the range ending at {@code end}: its own copy faults it in, this thread goes past it. */
    public void claimed(long end) {
        front.accumulateAndGet(end, Math::max);
    }

    /** Stops after the chunk in progress and waits for the thread, through interrupts: the memory may go after this. */
    public void stop() {
        stopped = true;
        if (thread != null) {
            Uninterruptibly.join(List.of(thread));
        }
    }

    private void run() {
        long size = memory.byteSize();
        int page = Libc.pageSize();
        for (long start = front.get(); !stopped; ) {
            start = Math.max(start, (front.get() + page - 1) / page * page);
            if (start >= size) {
                return;
            }
            long end = Math.min(size, start + CHUNK);
            try {
                if (!Libc.adviseIfSupported(memory.asSlice(start, end - start), Libc.Advice.MADV_POPULATE_WRITE, "prefault")) {
                    return; // an older kernel: the fillers fault as they copy
                }
            } catch (LinuxException e) {
                return; // out of memory or of tmpfs room: the filler's write fails there and says so
            }
            start = end;
        }
    }
}
