package io.hive.preloader.adapters.hugepages;

import java.io.IOException;
import java.net.URISyntaxException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A stand-in for an inference worker, run as a second process (the same java binary, this class's own class path): maps a shared file read-only, as llama.cpp maps a
 * model, and prints the CRC32C of its first {@code size} bytes and the file's length, one per line.
 *
 * <pre>java -cp … SharedFileWorker FILE SIZE</pre>
 */
public final class SharedFileWorker {
    private static final long CHUNK = 1L << 20;

    private SharedFileWorker() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            // The whole file: on hugetlbfs a mapping must cover whole huge pages.
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            CRC32C crc = new CRC32C();
            for (long offset = 0; offset < size; offset += CHUNK) {
                crc.update(mapped.asSlice(offset, Math.min(CHUNK, size - offset)).asByteBuffer());
            }
            System.out.println(Long.toHexString(crc.getValue()));
            System.out.println(channel.size());
        }
    }

    /** Runs this class in a new JVM (the same java binary) and returns its two lines. */
    static String[] runOn(Path file, long size) throws IOException, InterruptedException, URISyntaxException {
        String java = ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("no java binary"));
        // The worker needs only this class: its own folder (or jar) is the whole class path.
        String classPath = Path.of(SharedFileWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process process = new ProcessBuilder(java, "-cp", classPath,
                SharedFileWorker.class.getName(), file.toString(), Long.toString(size))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("the worker exited with " + exit + ": " + output);
        }
        return output.strip().split("\\R");
    }

    static String crcOf(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
    }
}
