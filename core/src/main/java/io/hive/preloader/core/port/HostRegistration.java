package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;

/**
 * A host region registered with a sink's device driver, so that copies from it need no staging (with CUDA:
 * {@code cuMemHostRegister}, page-locked, copied at the speed of the link). Closing it unregisters the region,
 * which must stay valid until then: whoever frees the region closes its registration first.
 */
public interface HostRegistration extends AutoCloseable {

    /** The registered bytes. */
    MemorySegment region();

    /** Whether the driver really page-locked the region; false for a sink whose copies need no pinning. */
    boolean pinned();

    /** Unregisters the region; closing again does nothing. */
    @Override
    void close();

    /** The registration of a sink that copies from any host memory as fast as from pinned memory (host memory). */
    static HostRegistration unneeded(MemorySegment region) {
        return new HostRegistration() {
            @Override
            public MemorySegment region() {
                return region;
            }

            @Override
            public boolean pinned() {
                return false;
            }

            @Override
            public void close() {
            }
        };
    }
}
