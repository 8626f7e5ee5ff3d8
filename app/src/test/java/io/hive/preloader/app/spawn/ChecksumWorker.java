package io.hive.preloader.app.spawn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * A worker of the tests' own, started as a child process: {@code ChecksumWorker FILE [GATE] [--exit]}. It prints
 * {@code started}, waits for the file GATE to exist when one is named, maps FILE, prints {@code crc32c=… bytes=…}
 * of its bytes, then {@code ready}, and keeps the mapping until it is stopped (or exits at once with --exit).
 */
public final class ChecksumWorker {
    private static final long SLICE = 1L << 30;

    private ChecksumWorker() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        List<String> plain = new ArrayList<>(List.of(args));
        boolean exit = plain.remove("--exit");
        Path file = Path.of(plain.getFirst());
        System.out.println("started " + ProcessHandle.current().pid());
        if (plain.size() > 1) {
            Path gate = Path.of(plain.get(1));
            System.out.println("waiting for " + gate);
            while (!Files.exists(gate)) {
                Thread.sleep(10);
            }
        }
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            System.out.println(line(crc32c(bytes), bytes.byteSize()));
            System.out.println("ready");
            if (!exit) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }

    /** The line the worker prints for these bytes. */
    public static String line(long crc, long size) {
        return String.format(Locale.ROOT, "crc32c=%08x bytes=%d", crc, size);
    }

    public static long crc32c(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        for (long at = 0; at < bytes.byteSize(); at += SLICE) {
            crc.update(bytes.asSlice(at, Math.min(SLICE, bytes.byteSize() - at)).asByteBuffer());
        }
        return crc.getValue();
    }

    /** The command line that runs this worker with the test JVM's own java binary and class path. */
    public static List<String> command(String... args) {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), ChecksumWorker.class.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
