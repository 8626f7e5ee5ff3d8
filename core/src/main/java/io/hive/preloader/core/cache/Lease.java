package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.function.Function;

/**
 * A caller's hold on a resident model's bytes. While any lease is open the bytes stay valid, even if the model is
 * evicted or its file replaced meanwhile; the memory is freed once the last lease closes. Close it exactly once
 * (closing again does nothing); not thread-safe for use by several threads at once.
 */
public final class Lease implements AutoCloseable {
    private final ModelCache cache;
    private final ResidentModel model;
    private final Origin origin;
    private final MemorySegment bytes;
    private final Handoff handoff;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    Lease(ModelCache cache, ResidentModel model, Origin origin) {
        this.cache = cache;
        this.model = model;
        this.origin = origin;
        this.bytes = model.region.bytes();
        this.handoff = model.region.handoff();
    }

    public ModelId id() {
        return model.descriptor.id();
    }

    public ModelDescriptor descriptor() {
        return model.descriptor;
    }

    /** The model's bytes; valid until this lease is closed. */
    public MemorySegment bytes() {
        if (closed.get()) {
            throw new IllegalStateException("lease on " + id() + " is closed");
        }
        return bytes;
    }

    /** How a worker process can reach this model's bytes. */
    public Handoff handoff() {
        return handoff;
    }

    public Origin origin() {
        return origin;
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
        if (closed.compareAndSet(false, true)) {
            cache.released(model);
        }
    }
}
