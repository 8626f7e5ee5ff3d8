package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.ResidentRegion;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One model's place in the cache, from the moment its bytes are reserved in the budget until they are freed.
 *
 * <p>The reference word {@code refs} holds the number of open leases in its low 31 bits and {@link #RETIRED} in its
 * sign bit. A lease is taken with one compare-and-set that fails once the model is retired ("look again": the index
 * may hold a newer copy), so a retired model gains no lease, and whoever takes the word from "retired, no leases"
 * frees the bytes, exactly once. Not final only so that a test can plant a broken protocol and watch the
 * linearizability check catch it.
 */
class ResidentModel {
    static final int RETIRED = Integer.MIN_VALUE;
    private static final VarHandle REFS;

    static {
        try {
            REFS = MethodHandles.lookup().findVarHandle(ResidentModel.class, "refs", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final ModelDescriptor descriptor;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    /** Null while loading; written once under the cache's lock and read without it (volatile publishes the region). */
    volatile ResidentRegion region;
    @SuppressWarnings("unused") // through REFS
    private volatile int refs;
    /** Written by the loader before {@link #region} is published, read after it. */
    long loadNanos;
    /** What the store reported resident right after the load, until the residency sampler measures it again. */
    long residentAtLoad;
    /** Region let go; guarded by {@code this}, which also keeps the residency sampler off a region being freed. */
    boolean released;
    /** Leases held by running workers, with their pids: while there is one, the model cannot be evicted on request. */
    final Map<Lease, Long> workerLeases = new ConcurrentHashMap<>();
    /**
     * What is tied to this resident copy of the bytes (a device registration of them), made at most once per key
     * and closed just before the region is released. An attachment is made under a lease, which keeps the region
     * from being released meanwhile.
     */
    final Map<String, Optional<? extends AutoCloseable>> attachments = new ConcurrentHashMap<>();

    ResidentModel(ModelDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    /** One more lease, unless the model is retired. */
    boolean tryAcquire() {
        int r = refs;
        while (r >= 0) {
            int witness = (int) REFS.compareAndExchange(this, r, r + 1);
            if (witness == r) {
                return true;
            }
            r = witness;
        }
        return false;
    }

    /** One lease fewer; true when it was the last lease of a retired model, whose bytes the caller must now free. */
    boolean release() {
        return (int) REFS.getAndAdd(this, -1) - 1 == RETIRED;
    }

    /** Retires the model if no lease is open, so that none can be taken; true when it did (the caller frees it). */
    boolean retireIfUnleased() {
        return REFS.compareAndSet(this, 0, RETIRED);
    }

    /** Retires the model whatever its leases; true when none was open (the caller frees it), else the last lease does. */
    boolean retire() {
        return (int) REFS.getAndBitwiseOr(this, RETIRED) == 0;
    }

    /** Undoes {@link #retireIfUnleased} for an admission that could not go ahead after all. */
    void unretire() {
        REFS.compareAndSet(this, RETIRED, 0);
    }

    boolean retired() {
        return refs < 0;
    }

    int leases() {
        return refs & Integer.MAX_VALUE;
    }

    boolean loading() {
        return region == null;
    }

    long bytes() {
        return descriptor.size();
    }

    List<Long> workers() {
        return workerLeases.values().stream().sorted().toList();
    }
}
