package io.hive.preloader.adapters.disruptor.bench;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/** A sink that hides its writers' host view, so the pipeline stages every chunk in a slot and copies it again. */
record ThroughSlots(VramSink sink) implements VramSink {

    @Override
    public String name() {
        return sink.name() + " through slots";
    }

    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
        return sink.copy(model, source, device);
    }

    @Override
    public Optional<HostRegistration> register(MemorySegment region, int device) {
        return sink.register(region, device);
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
        DeviceWriter writer = sink.allocate(model, bytes, device, lanes);
        return new DeviceWriter() {
            @Override
            public int device() {
                return writer.device();
            }

            @Override
            public long bytes() {
                return writer.bytes();
            }

            @Override
            public int lanes() {
                return writer.lanes();
            }

            @Override
            public void copy(long offset, MemorySegment chunk, int lane) {
                writer.copy(offset, chunk, lane);
            }

            @Override
            public void await(int lane) {
                writer.await(lane);
            }

            @Override
            public void awaitAll() {
                writer.awaitAll();
            }

            @Override
            public DeviceCopy finish(Duration took) {
                return writer.finish(took);
            }

            @Override
            public void close() {
                writer.close();
            }
        };
    }
}
