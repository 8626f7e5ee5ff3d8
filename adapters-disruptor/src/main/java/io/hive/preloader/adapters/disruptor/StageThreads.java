package io.hive.preloader.adapters.disruptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform threads of one transfer's ring ({@code staging-RUN-N}): made by the ring's thread factory, joined by
 * the transfer's deadline once it halts the ring, and, for any still stuck in a call at the deadline, a clean-up that
 * waits for them on a virtual thread of its own (the memory they may still touch is freed only after they exit).
 */
final class StageThreads implements ThreadFactory {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long HALT_GRACE_NANOS = Duration.ofMillis(200).toNanos();

    private final int run = RUNS.incrementAndGet();
    private final AtomicInteger names = new AtomicInteger();
    /** Guarded by itself: the ring adds threads as it starts, the transfer's thread reads them after halting it. */
    private final List<Thread> threads = new ArrayList<>();

    @Override
    public Thread newThread(Runnable task) {
        Thread t = Thread.ofPlatform().daemon().name("staging-" + run + "-" + names.getAndIncrement()).unstarted(task);
        synchronized (threads) {
            threads.add(t);
        }
        return t;
    }

    /**
     * Waits for every thread of a halted ring to exit, until the deadline, or a moment past it (threads that were only
     * parked need that long to see the halt); an interrupt meanwhile is recorded, not re-set.
     *
     * @return the threads still alive then
     */
    List<Thread> join(StopBound stop) {
        List<Thread> started;
        synchronized (threads) {
            started = List.copyOf(threads);
        }
        long until = System.nanoTime() + Math.max(stop.remainingNanos(), HALT_GRACE_NANOS);
        for (Thread t : started) {
            long left;
            while (t.isAlive() && (left = until - System.nanoTime()) > 0) {
                try {
                    t.join(Duration.ofNanos(left));
                } catch (InterruptedException e) {
                    stop.interrupted();
                }
            }
        }
        return started.stream().filter(Thread::isAlive).toList();
    }

    /** Runs {@code cleanUp} on a virtual thread once every one of {@code stuck} has exited, however long that takes. */
    static void afterExit(List<Thread> stuck, String name, Runnable cleanUp) {
        Thread.ofVirtual().name(name).start(() -> {
            for (Thread t : stuck) {
                while (t.isAlive()) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        // Nobody interrupts this thread but a shutting-down JVM: keep waiting, the memory must outlive them.
                    }
                }
            }
            cleanUp.run();
        });
    }
}
