package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.RamStore;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Shrinks the cache before the host starts swapping. The configured budget is an upper bound; the budget in
 * force is what fits beside what the rest of the host needs, less a reserve kept free:
 * <ul>
 *   <li>what the kernel can still hand out ({@code MemAvailable}), plus what the cache holds when its store's memory
 *       is private; a page-cache store's models are reclaimable file pages that {@code MemAvailable} already counts,
 *       so adding them would count them twice and see room that is not there;</li>
 *   <li>what the cache holds is what it charges less the bytes it is freeing: the host gets those back on its own,
 *       and counts the part already freed as available while the release goes on;</li>
 *   <li>under a cgroup v2 limit, also at most what the cache holds plus what the cgroup can still take
 *       ({@code memory.max − memory.current}, which counts the cache's pages among the cgroup's).</li>
 * </ul>
 * When tasks stall on memory (PSI), it gives back a further share of what it holds. When the pressure passes, the
 * budget grows back to the configured one. A check reads O(1) figures of the preloader and never measures residency.
 */
public final class MemoryPressureGuard implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MemoryPressureGuard.class.getName());
    /** Above this share of stalled time the host is already paging: give back memory beyond the arithmetic. */
    static final double STALL_PERCENT_LIMIT = 10;
    static final double STALL_GIVE_BACK = 0.10;

    private final ModelPreloader preloader;
    private final HostMemory host;
    private final ByteBudget configured;
    private final long reserveBytes;
    private final ScheduledExecutorService timer;
    private long inForce;

    private MemoryPressureGuard(ModelPreloader preloader, HostMemory host, ByteBudget configured, long reserveBytes,
                                ScheduledExecutorService timer) {
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("memory reserve must be 0 or more, got " + reserveBytes);
        }
        this.preloader = preloader;
        this.host = host;
        this.configured = configured;
        this.reserveBytes = reserveBytes;
        this.timer = timer;
        this.inForce = configured.bytes();
    }

    /** A guard checked only when {@link #check()} is called (for tests and callers with their own timer). */
    public static MemoryPressureGuard manual(ModelPreloader preloader, HostMemory host, ByteBudget configured, long reserveBytes) {
        return new MemoryPressureGuard(preloader, host, configured, reserveBytes, null);
    }

    /** A guard that checks every {@code period} on a daemon thread of its own until closed. */
    public static MemoryPressureGuard start(ModelPreloader preloader, HostMemory host, ByteBudget configured, long reserveBytes,
                                            Duration period) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("preloader-memory-guard").daemon().factory());
        MemoryPressureGuard guard = new MemoryPressureGuard(preloader, host, configured, reserveBytes, timer);
        timer.scheduleWithFixedDelay(() -> {
            try {
                guard.check();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "memory check failed: " + e.getMessage(), e);
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return guard;
    }

    /** Reads the host's memory once and sets the budget in force; returns it. */
    public synchronized ByteBudget check() {
        long held = Math.max(0, preloader.usedBytes() - preloader.freeingBytes());
        long available = host.availableBytes();
        long fits = (preloader.memory() == RamStore.Memory.PAGE_CACHE ? 0 : held) + available - reserveBytes;
        OptionalLong cgroupRoom = host.cgroupRoomBytes();
        if (cgroupRoom.isPresent()) {
            fits = Math.min(fits, held + cgroupRoom.getAsLong() - reserveBytes);
        }
        long target = Math.min(configured.bytes(), fits);
        double stalled = host.stallPercent().orElse(0);
        if (stalled >= STALL_PERCENT_LIMIT) {
            target = Math.min(target, held - (long) (held * STALL_GIVE_BACK));
        }
        target = Math.max(1, target);
        if (target != inForce) {
            LOG.log(target < inForce ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                    "budget in force {0} (configured {1}; cache holds {2} of {3}, host has {4} available{5}, reserve {6}, {7}% stalled)",
                    ByteSize.format(target), configured, ByteSize.format(held), preloader.memory().name().toLowerCase(java.util.Locale.ROOT),
                    ByteSize.format(available), cgroupRoom.isPresent() ? ", cgroup " + ByteSize.format(cgroupRoom.getAsLong()) : "",
                    ByteSize.format(reserveBytes), stalled);
            inForce = target;
            preloader.budget(new ByteBudget(target));
        }
        return new ByteBudget(target);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
