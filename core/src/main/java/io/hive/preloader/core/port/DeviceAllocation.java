package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Memory one model holds on one device, freed once: what a sink's {@link DeviceCopy} and {@link DeviceWriter} share.
 * The first {@link #close} frees it ({@link #free}); a writer that hands its memory over to a copy marks itself closed
 * without freeing ({@link #handOver}), and the copy frees it in turn.
 */
public abstract class DeviceAllocation implements AutoCloseable {
    private final ModelId model;
    private final int device;
    private final long bytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    protected DeviceAllocation(ModelId model, int device, long bytes) {
        this.model = Objects.requireNonNull(model, "model");
        this.device = device;
        this.bytes = bytes;
    }

    public final ModelId model() {
        return model;
    }

    public final int device() {
        return device;
    }

    public final long bytes() {
        return bytes;
    }

    /** Frees what this holds; called once, by the first {@link #close}. */
    protected abstract void free();

    /** Frees the memory; closing again, or after {@link #handOver}, does nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            free();
        }
    }

    /** Marks it closed without freeing, for whoever now frees the memory instead; false when it already was closed. */
    protected final boolean handOver() {
        return closed.compareAndSet(false, true);
    }

    protected final boolean isClosed() {
        return closed.get();
    }

    /** @throws IllegalStateException naming {@code what}, the model and the device, once closed */
    protected final void ensureOpen(String what) {
        if (closed.get()) {
            throw new IllegalStateException(what + " of " + model + " on device " + device + " is closed");
        }
    }
}
