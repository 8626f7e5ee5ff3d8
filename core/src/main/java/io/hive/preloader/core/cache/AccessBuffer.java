package io.hive.preloader.core.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * Uses of resident models on their way to the eviction policy, recorded without a lock: a few ring buffers of 16
 * slots, one chosen by the calling thread's id, each with a read and a write count (the design of Caffeine's
 * {@code BoundedBuffer}). A producer reads the counts, claims the next slot with one compare-and-set and publishes
 * the element with a release store; when its ring is full or the slot was taken under it, the use is dropped, since
 * the policy's ranking needs the pattern of uses, not every one. A single consumer, holding the cache's lock, drains
 * the rings into the policy. No allocation on either side.
 */
final class AccessBuffer<E> {
    static final int SLOTS = 16;
    private static final int MASK = SLOTS - 1;
    /** Counts and slots of neighbouring rings sit this many elements apart, so that they never share a cache line. */
    private static final int STRIDE = 32;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

    /** Outcome of {@link #offer}. */
    enum Offer { ADDED, FULL, CONTENDED }

    private final int rings;
    /** Ring r: read count at {@code (2r + 1) * STRIDE}, write count at {@code (2r + 2) * STRIDE}. */
    private final long[] counts;
    /** Ring r's slots from {@code (r + 1) * STRIDE}. */
    private final Object[] slots;

    AccessBuffer(int cpus) {
        this.rings = Integer.highestOneBit(Math.max(1, cpus) * 4 - 1) << 1;
        this.counts = new long[(2 * rings + 2) * STRIDE];
        this.slots = new Object[(rings + 2) * STRIDE];
    }

    /** Records one use from the calling thread; never blocks. */
    Offer offer(E element) {
        int ring = ring();
        int read = (2 * ring + 1) * STRIDE;
        int write = read + STRIDE;
        long head = (long) COUNT.getVolatile(counts, read);
        long tail = (long) COUNT.getOpaque(counts, write);
        if (tail - head >= SLOTS) {
            return Offer.FULL;
        }
        if (!COUNT.weakCompareAndSet(counts, write, tail, tail + 1)) {
            return Offer.CONTENDED;
        }
        // Published after the claim: the consumer stops at a claimed slot still empty and takes it next time.
        SLOT.setRelease(slots, (ring + 1) * STRIDE + (int) (tail & MASK), element);
        return Offer.ADDED;
    }

    /** Hands every published use to {@code consumer}, oldest first per ring. Only one thread drains at a time. */
    @SuppressWarnings("unchecked")
    void drainTo(Consumer<? super E> consumer) {
        for (int ring = 0; ring < rings; ring++) {
            int read = (2 * ring + 1) * STRIDE;
            long head = (long) COUNT.getVolatile(counts, read);
            long tail = (long) COUNT.getVolatile(counts, read + STRIDE);
            int base = (ring + 1) * STRIDE;
            while (head != tail) {
                int index = base + (int) (head & MASK);
                E e = (E) SLOT.getAcquire(slots, index);
                if (e == null) {
                    break;
                }
                SLOT.setRelease(slots, index, null);
                consumer.accept(e);
                head++;
            }
            // After the slots are cleared: a producer that sees the new count also sees them empty.
            COUNT.setRelease(counts, read, head);
        }
    }

    private int ring() {
        // Fibonacci hashing of the thread id spreads neighbouring ids over the rings.
        return (int) ((Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L) >>> 40) & (rings - 1);
    }
}
