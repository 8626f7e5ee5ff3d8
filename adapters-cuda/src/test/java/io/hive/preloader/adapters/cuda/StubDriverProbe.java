package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;

/**
 * Runs the real FFM bindings ({@link CudaDriver}) against the stub library named by {@code -Dpreloader.cuda.library},
 * in a JVM of its own (the bindings are static, bound once per JVM). Prints one {@code ok ...} line per check, or
 * the failure; {@link CudaDriverAbiTest} reads them.
 */
public final class StubDriverProbe {
    private StubDriverProbe() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("fail-alloc")) {
            try (CudaVramSink sink = CudaVramSink.open(); Arena arena = Arena.ofConfined()) {
                sink.copy(ModelId.of("m"), arena.allocate(4096), 0);
                System.out.println("no failure");
            } catch (CudaException e) {
                System.out.println("failed: " + e.getMessage());
            }
            return;
        }
        ModelId model = ModelId.of("m");
        try (CudaVramSink sink = CudaVramSink.open(); Arena arena = Arena.ofConfined()) {
            System.out.println("ok devices " + sink.deviceCount() + " " + sink.deviceName(1));
            System.out.println("ok memory " + Arrays.toString(sink.memoryInfo(0)));
            MemorySegment source = arena.allocate(1 << 20, 4096);
            for (int i = 0; i < source.byteSize(); i++) {
                source.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            MemorySegment back = arena.allocate(source.byteSize(), 4096);

            try (DeviceCopy copy = sink.copy(model, source, 0)) {
                copy.readBack(0, back);
                System.out.println("ok copy " + (back.mismatch(source) == -1));
            }

            HostRegistration registration = sink.register(source, 1).orElseThrow();
            registration.close();
            System.out.println("ok register " + registration.pinned());

            try (DeviceWriter writer = sink.allocate(model, source.byteSize(), 1, 4)) {
                for (int chunk = 0; chunk < 16; chunk++) {
                    writer.await(chunk % 4);
                    writer.copy(chunk * 65536L, source.asSlice(chunk * 65536L, 65536), chunk % 4);
                }
                try (DeviceCopy copy = writer.finish(Duration.ZERO)) {
                    back.fill((byte) 0);
                    copy.readBack(0, back);
                    System.out.println("ok chunks " + (back.mismatch(source) == -1));
                    String handle = copy.handle();
                    try (IpcMapping mapping = sink.openIpc(CudaIpcHandle.parse(handle))) {
                        back.fill((byte) 0);
                        mapping.readBack(0, back);
                        System.out.println("ok ipc " + (mapping.devicePointer() == ((CudaDeviceCopy) copy).devicePointer())
                                + " " + (back.mismatch(source) == -1));
                    }
                }
            }
            MemorySegment pinned = PinnedHostMemory.allocate(sink.cuda(), 4096);
            System.out.println("ok host " + pinned.byteSize());
            sink.device(0).makeCurrent();
            PinnedHostMemory.free(sink.cuda(), pinned);
            System.out.println("ok error name " + sink.cuda().errorName(2) + " / " + sink.cuda().errorName(12345));
        } catch (RuntimeException e) {
            e.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
