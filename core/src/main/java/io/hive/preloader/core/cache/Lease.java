package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;

import java.lang.foreign.MemorySegment;

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
    private boolean closed;

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
        if (closed) {
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

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cache.released(model);
        }
    }
}
