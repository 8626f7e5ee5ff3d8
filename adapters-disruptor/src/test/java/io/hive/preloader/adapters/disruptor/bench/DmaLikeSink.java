package io.hive.preloader.adapters.disruptor.bench;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A sink whose copies cost the CPU nothing, as a GPU's copy engine reads a pinned slot without a CPU thread: what
 * is left of a staged transfer is the readers' copies into the slots and the ring's coordination. It keeps nothing.
 * A test may give it what each copy does instead (a copy engine that stalls, say).
 */
public final class DmaLikeSink implements VramSink {
    /** What one chunk's copy does. */
    @FunctionalInterface
    public interface Copier {
        void copy(long offset, MemorySegment chunk, int lane);
    }

    private final Copier copier;

    /** Copies that cost nothing. */
    public DmaLikeSink() {
        this((offset, chunk, lane) -> { });
    }

    public DmaLikeSink(Copier copier) {
        this.copier = copier;
    }

    @Override
    public String name() {
        return "dma-like";
    }

    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        throw new UnsupportedOperationException("chunks only");
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        return new DeviceWriter() {
            @Override
            public int device() {
                return device;
            }

            @Override
            public long bytes() {
                return bytes;
            }

            @Override
            public int lanes() {
                return lanes;
            }

            @Override
            public void copy(long offset, MemorySegment chunk, int lane) {
                copier.copy(offset, chunk, lane);
            }

            @Override
            public void await(int lane) {
            }

            @Override
            public void awaitAll() {
            }

            @Override
            public DeviceCopy finish(Duration took) {
                return new DeviceCopy() {
                    @Override
                    public ModelId model() {
                        return model;
                    }

                    @Override
                    public int device() {
                        return device;
                    }

                    @Override
                    public long bytes() {
                        return bytes;
                    }

                    @Override
                    public Duration took() {
                        return took;
                    }

                    @Override
                    public String handle() {
                        return "none";
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public void close() {
            }
        };
    }
}
