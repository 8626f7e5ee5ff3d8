package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Receives a model's bytes on a device and returns a handle to the device copy: in one call ({@link #copy}), or
 * chunk by chunk through a {@link DeviceWriter} ({@link #allocate}) when the sink {@linkplain #receivesChunks
 * receives chunks}. A sink that can {@linkplain #register pin} a host region lets core copy a resident model
 * directly; otherwise core stages it through a {@link StagingPipeline}. {@link #close} lets go of what the sink holds
 * for its devices.
 */
public interface VramSink extends AutoCloseable {

    String name();

    /**
     * Copies every byte of {@code source} to {@code device}. On failure nothing stays allocated on the device.
     *
     * @throws StoreException naming the device and the call that failed
     */
    DeviceCopy copy(ModelId model, MemorySegment source, int device);

    /**
     * Registers {@code region} with the device's driver so that copies from it run without staging (pinned), or
     * says it cannot: empty when this sink cannot pin that region, for whatever reason. The caller closes the
     * registration before the region is freed. By default a sink pins nothing.
     */
    default Optional<HostRegistration> register(MemorySegment region, int device) {
        return Optional.empty();
    }

    /** Whether {@link #allocate} works: the sink can be filled chunk by chunk (needed by staged transfers). */
    default boolean receivesChunks() {
        return false;
    }

    /**
     * Allocates {@code bytes} on {@code device} for {@code model}, to be filled through the writer with up to
     * {@code lanes} copies in flight. On failure nothing stays allocated.
     *
     * @throws StoreException                naming the device and the call that failed
     * @throws UnsupportedOperationException when the sink does not {@linkplain #receivesChunks receive chunks}
     */
    default DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        throw new UnsupportedOperationException("the " + name() + " sink cannot receive a model chunk by chunk");
    }

    /**
     * Lets go of what the sink holds for its devices (with CUDA: the primary contexts it retained, and with them every
     * allocation made in them): close its device copies and registrations first. Closing again does nothing; by
     * default there is nothing to let go.
     */
    @Override
    default void close() {
    }
}
