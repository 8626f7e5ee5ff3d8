package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.function.Function;

/**
 * A caller's hold on a resident model's bytes. While any lease is open the bytes stay valid, even if the model is
 * evicted or its file replaced meanwhile; the memory is freed once the last lease closes. Close it exactly once
 * (closing again does nothing); not thread-safe for use by several threads at once.
 */
public final class Lease implements AutoCloseable {
    private static final VarHandle CLOSED;

    static {
        try {
            CLOSED = MethodHandles.lookup().findVarHandle(Lease.class, "closed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ModelCache cache;
    private final ResidentModel model;
    private final Origin origin;
    @SuppressWarnings("unused") // through CLOSED
    private volatile boolean closed;

    Lease(ModelCache cache, ResidentModel model, Origin origin) {
        this.cache = cache;
        this.model = model;
        this.origin = origin;
    }

    public ModelId id() {
        return model.descriptor.id();
    }

    public ModelDescriptor descriptor() {
        return model.descriptor;
    }

    /** The model's bytes; valid until this lease is closed. */
    public MemorySegment bytes() {
        requireOpen();
        return model.region.bytes();
    }

    /** How a worker process can reach this model's bytes; only while the lease is open, which keeps them there. */
    public Handoff handoff() {
        requireOpen();
        return model.region.handoff();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("lease on " + id() + " is closed");
        }
    }

    public Origin origin() {
        return origin;
    }

    /**
     * Marks this lease as the hold of a running worker process on the model: while it is open, the model cannot be
     * evicted on request ({@link ModelInUseException} names the pid), and its bytes stay charged to the budget.
     * Close the lease when the worker exits.
     */
    public void heldBy(long pid) {
        requireOpen();
        cache.holdFor(this, model, pid);
        if (closed) {
            model.workerLeases.remove(this); // closed meanwhile, from another thread
        }
    }

    /**
     * Something tied to this resident copy of the model's bytes, such as a device driver's registration of them:
     * made by {@code make} the first time a lease on this copy asks for {@code key} (concurrent askers wait for
     * that one), remembered even when empty, and closed just before the bytes are released (evicted, replaced or
     * the cache closed), so that it never outlives them. {@code make} may take a while; it holds no cache lock.
     */
    @SuppressWarnings("unchecked")
    public <T extends AutoCloseable> Optional<T> attachment(String key, Function<MemorySegment, Optional<T>> make) {
        MemorySegment segment = bytes();
        return (Optional<T>) model.attachments.computeIfAbsent(key, k -> {
            Optional<T> made = make.apply(segment);
            return made == null ? Optional.empty() : made;
        });
    }

    @Override
    public void close() {
        // Closing twice, even from two threads at once, releases the hold once.
        if (CLOSED.compareAndSet(this, false, true)) {
            model.workerLeases.remove(this);
            cache.released(model);
        }
    }
}
