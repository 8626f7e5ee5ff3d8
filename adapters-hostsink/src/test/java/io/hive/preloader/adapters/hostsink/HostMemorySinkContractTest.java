package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.port.VramSinkContract;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The host sink receives chunks as every chunk-receiving sink must. Its "device allocations" are the memory behind
 * each copy and writer it hands out, live until their arena is closed: the sink under test is wrapped so as to
 * collect that memory, and counted by whether it can still be reached.
 */
class HostMemorySinkContractTest extends VramSinkContract {
    private final Map<VramSink, List<MemorySegment>> handedOut = new ConcurrentHashMap<>();

    @Override
    protected VramSink newSink() {
        HostMemorySink host = new HostMemorySink();
        List<MemorySegment> memory = new CopyOnWriteArrayList<>();
        VramSink sink = new VramSink() {
            @Override
            public String name() {
                return host.name();
            }

            @Override
            public DeviceCopy copy(ModelId model, MemorySegment source, int device) {
                HostDeviceCopy copy = (HostDeviceCopy) host.copy(model, source, device);
                memory.add(copy.memory());
                return copy;
            }

            @Override
            public Optional<HostRegistration> register(MemorySegment region, int device) {
                return host.register(region, device);
            }

            @Override
            public boolean receivesChunks() {
                return host.receivesChunks();
            }

            @Override
            public DeviceWriter allocate(ModelId model, long bytes, int device, int lanes) {
                DeviceWriter writer = host.allocate(model, bytes, device, lanes);
                memory.add(writer.hostView().orElseThrow());
                return writer;
            }
        };
        handedOut.put(sink, memory);
        return sink;
    }

    @Override
    protected int liveAllocations(VramSink sink) {
        return (int) handedOut.get(sink).stream().filter(m -> m.scope().isAlive()).count();
    }

    @Override
    protected boolean registrationsPin() {
        return false;
    }
}
