package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The second process of the IPC check: opens a device copy exported by another process from its handle, reads it
 * back in 64 MiB pieces and prints {@code crc32c=XXXXXXXX bytes=N}, the CRC32C of what it read.
 * Usage: {@code IpcOpenMain cuda-ipc:DEVICE:BYTES:HEX}
 */
public final class IpcOpenMain {
    private IpcOpenMain() {
    }

    public static void main(String[] args) {
        CudaIpcHandle handle = CudaIpcHandle.parse(args[0]);
        CRC32C crc = new CRC32C();
        try (CudaVramSink sink = CudaVramSink.open(); IpcMapping mapping = sink.openIpc(handle); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64L << 20, 4096);
            for (long offset = 0; offset < mapping.bytes(); offset += buffer.byteSize()) {
                MemorySegment piece = buffer.asSlice(0, Math.min(buffer.byteSize(), mapping.bytes() - offset));
                mapping.readBack(offset, piece);
                crc.update(piece.asByteBuffer());
            }
            System.out.printf(Locale.ROOT, "crc32c=%08x bytes=%d%n", crc.getValue(), mapping.bytes());
        }
    }

    /** Runs this class in a new JVM on the same class path and returns the line it printed. */
    static String inAnotherProcess(CudaIpcHandle handle) throws Exception {
        String classPath = System.getProperty("preloader.test.classpath", System.getProperty("java.class.path"));
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED"));
        String library = System.getProperty(CudaDriver.LIBRARY_PROPERTY);
        if (library != null) {
            command.add("-D" + CudaDriver.LIBRARY_PROPERTY + "=" + library);
        }
        command.addAll(java.util.List.of("-cp", classPath, IpcOpenMain.class.getName(), handle.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("the second process failed: " + output);
        }
        return output.lines().filter(l -> l.startsWith("crc32c=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the second process printed no checksum: " + output));
    }
}
