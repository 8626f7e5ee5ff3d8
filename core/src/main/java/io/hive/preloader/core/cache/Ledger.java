package io.hive.preloader.core.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The budget and what is charged against it, readable at any moment without a lock. Charges rise only under the
 * cache's lock (an admission), and fall when a store has really let bytes go, on whichever thread freed them: what
 * is charged is never less than what is held, so an admission that fits what is charged fits what is held.
 */
final class Ledger {
    /** Written under the cache's lock, read anywhere. */
    private volatile long budget;
    /** Bytes resident, loading, leased after eviction, or being freed: everything not yet given back. */
    private final AtomicLong charged = new AtomicLong();
    /** Of {@link #charged}: bytes retired with no lease whose release is under way; they go without anyone's help. */
    private final AtomicLong freeing = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();

    Ledger(long budget) {
        this.budget = budget;
    }

    long budget() {
        return budget;
    }

    void budget(long bytes) {
        budget = bytes;
    }

    long charged() {
        return charged.get();
    }

    /** Room left in the budget, negative when more is charged than the budget allows (it was lowered). */
    long room() {
        return budget - charged.get();
    }

    /** What would still be over the budget once the releases under way are done. */
    long excess() {
        return charged.get() - freeing.get() - budget;
    }

    void charge(long bytes) {
        charged.addAndGet(bytes);
    }

    void giveBack(long bytes) {
        charged.addAndGet(-bytes);
    }

    void freeing(long bytes) {
        freeing.addAndGet(bytes);
    }

    long freeingBytes() {
        return freeing.get();
    }

    void evicted() {
        evictions.incrementAndGet();
    }

    long evictions() {
        return evictions.get();
    }
}
