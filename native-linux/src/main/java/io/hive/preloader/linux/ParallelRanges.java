package io.hive.preloader.linux;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.Uninterruptibly;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass over the ranges of a region by several threads at once, the calling thread among them: each takes the next
 * range in turn, so reads, faults and system calls of different ranges overlap (on a cold file, several reads are in
 * flight instead of one). The stores' loads share it: the mmap store's population, the buffer store's reads, the
 * hugepages store's copy.
 *
 * <p>The first failure stops the other threads after the range they are on; {@link #run} returns only once every
 * helper has stopped, interrupts included, because the caller frees the memory the helpers write as soon as it
 * returns. Progress is reported by the calling thread alone, as {@link LoadProgress} requires.
 */
public final class ParallelRanges {
    /** The work on one range, {@code [start, end)}; a failure is thrown as it is. */
    @FunctionalInterface
    public interface Task {
        void run(long start, long end);
    }

    private final long size;
    private final long range;
    private final Task task;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private ParallelRanges(long size, long range, Task task) {
        this.size = size;
        this.range = range;
        this.task = task;
    }

    /**
     * Runs {@code task} once on every range of {@code range} bytes of {@code [0, size)} (the last one shorter), on up
     * to {@code threads} threads. Progress is the bytes of the ranges done so far: 0 first (unless the size is 0),
     * then after each range the calling thread finishes, and last exactly {@code size}.
     *
     * @param name    names the helper threads, e.g. {@code page-populate /models/m.gguf}
     * @param threads at most this many threads, this one included; never more than there are ranges
     * @throws RuntimeException the first failure of any thread, as it was thrown (an {@link Error} likewise)
     */
    public static void run(String name, long size, long range, int threads, Task task, LoadProgress progress) {
        if (range <= 0 || threads < 1) {
            throw new IllegalArgumentException("range " + range + " and threads " + threads + " must be positive");
        }
        new ParallelRanges(size, range, task).run(name, threads, progress);
    }

    private void run(String name, int threads, LoadProgress progress) {
        if (size > 0) {
            progress.advanced(0, size); // the start, told before any helper runs: ranges may all be done before this one's
        }
        long ranges = (size + range - 1) / range;
        int helpers = (int) Math.min(threads - 1, Math.max(ranges - 1, 0));
        List<Thread> started = new ArrayList<>(helpers);
        try {
            for (int i = 0; i < helpers; i++) {
                started.add(Thread.ofPlatform().daemon().name(name + " #" + (i + 1)).start(() -> work(LoadProgress.NONE)));
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e); // no thread for a helper: the ones started stop, and the load fails
        }
        work(progress);
        Uninterruptibly.join(started);
        switch (failure.get()) {
            case null -> progress.advanced(size, size);
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case Throwable t -> throw new StoreException(name + " failed: " + t, t);
        }
    }

    private void work(LoadProgress progress) {
        try {
            for (long start = next.getAndAdd(range); start < size && failure.get() == null; start = next.getAndAdd(range)) {
                long end = Math.min(size, start + range);
                task.run(start, end);
                long total = done.addAndGet(end - start);
                if (total < size) {
                    progress.advanced(total, size);
                }
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e); // the first one; the others are its consequences or the same cause
        }
    }
}
