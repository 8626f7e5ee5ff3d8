package io.hive.preloader.adapters.buffer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The memory of copies evicted to make room for a load ({@code Release.MAKE_ROOM}), kept for that load, which then
 * writes into pages that are backed already instead of faulting fresh ones (on these virtual machines a first touch
 * costs more than the copy; measured here, a 512 MiB reload: 13.6 GB/s into kept memory, 3.0 into fresh, beside 11.6
 * for {@code dd} to /dev/null).
 *
 * <p>The cache charges the evicted model's bytes to the load it makes room for, so keeping them for that load stays
 * within the budget. Kept memory is bounded all the same:
 * <ul>
 *   <li>at most {@code limit} bytes backed in all (0: nothing is kept, every release unmaps at once);</li>
 *   <li>each mapping at most {@code keep}, then it is unmapped (the load it was kept for failed before taking it);</li>
 *   <li>a load that must fault fresh memory first gives every other kept mapping back, so that kept and resident
 *       bytes together never exceed what was resident before.</li>
 * </ul>
 * A reused mapping larger than the copy gives its excess pages back ({@code MADV_DONTNEED}). Whoever needs the memory
 * sooner (memory pressure) can ask for it: {@link #giveBack}.
 */
final class SpareMemory {
    private final long limit;
    private final Duration keep;
    /** Guards {@link #kept} and {@link #bytes}: loads and releases on any thread; no system call runs under it. */
    private final Object lock = new Object();
    private final ArrayDeque<Kept> kept = new ArrayDeque<>(); // oldest first
    private long bytes;
    private ScheduledExecutorService reaper; // made on the first mapping kept

    SpareMemory(long limit, Duration keep) {
        if (limit < 0 || keep.isNegative()) {
            throw new IllegalArgumentException("spare memory limit " + limit + " and keep " + keep + " must not be negative");
        }
        this.limit = limit;
        this.keep = keep;
    }

    /** Bytes of RAM kept now. */
    long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /**
     * Memory for a copy of {@code capacity} bytes: the smallest kept mapping that holds it, trimmed to it, or empty.
     * Unless that mapping is backed for the whole copy, every other kept mapping is unmapped first, the fresh memory
     * this load faults taking their place.
     */
    Optional<CopyMemory> take(long capacity) {
        CopyMemory best = null;
        List<CopyMemory> unused = new ArrayList<>();
        synchronized (lock) {
            Kept fit = null;
            for (Kept k : kept) {
                if (k.memory().length() >= capacity && (fit == null || k.memory().length() < fit.memory().length())) {
                    fit = k;
                }
            }
            if (fit != null) {
                kept.remove(fit);
                bytes -= fit.memory().backed();
                best = fit.memory();
            }
            if (best == null || best.backed() < capacity) {
                kept.forEach(k -> unused.add(k.memory()));
                kept.clear();
                bytes = 0;
            }
        }
        unused.forEach(CopyMemory::unmap);
        if (best != null) {
            best.trim(capacity);
        }
        return Optional.ofNullable(best);
    }

    /** Keeps {@code memory}, whose model was released, or unmaps it; the oldest go first over the limit. */
    void keep(CopyMemory memory) {
        if (memory.backed() == 0 || memory.backed() > limit) {
            memory.unmap();
            return;
        }
        List<CopyMemory> over = new ArrayList<>();
        Kept stay = new Kept(memory);
        synchronized (lock) {
            kept.addLast(stay);
            bytes += memory.backed();
            while (bytes > limit) {
                CopyMemory oldest = kept.removeFirst().memory();
                bytes -= oldest.backed();
                over.add(oldest);
            }
            if (reaper == null) {
                ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                        Thread.ofPlatform().daemon().name("buffer-spare-memory").factory());
                executor.setRemoveOnCancelPolicy(true);
                executor.setKeepAliveTime(keep.plusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
                executor.allowCoreThreadTimeOut(true); // no thread lingers once nothing is kept
                reaper = executor;
            }
            reaper.schedule(() -> expire(stay), keep.toNanos(), TimeUnit.NANOSECONDS);
        }
        over.forEach(CopyMemory::unmap);
    }

    /**
     * Unmaps kept memory, oldest first, until at least {@code atLeast} bytes are given back or nothing is kept
     * ({@code Long.MAX_VALUE}: all of it). Returns the bytes given back.
     */
    long giveBack(long atLeast) {
        List<CopyMemory> freed = new ArrayList<>();
        long given = 0;
        synchronized (lock) {
            while (given < atLeast && !kept.isEmpty()) {
                CopyMemory oldest = kept.removeFirst().memory();
                bytes -= oldest.backed();
                given += oldest.backed();
                freed.add(oldest);
            }
        }
        freed.forEach(CopyMemory::unmap);
        return given;
    }

    private void expire(Kept stay) {
        boolean expired;
        synchronized (lock) {
            expired = kept.remove(stay);
            if (expired) {
                bytes -= stay.memory().backed();
            }
        }
        if (expired) {
            stay.memory().unmap();
        }
    }

    /** One stay of a mapping here, known by identity: its expiry finds this stay, not a later one of the same memory. */
    private static final class Kept {
        private final CopyMemory memory;

        Kept(CopyMemory memory) {
            this.memory = memory;
        }

        CopyMemory memory() {
            return memory;
        }
    }
}
