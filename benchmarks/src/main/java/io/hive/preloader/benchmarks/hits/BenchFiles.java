package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The model files the benchmarks use, in the folder {@code hits.dir} names (default {@code /tmp/preloader-hits}):
 * written once with real bytes (not sparse, so that every load reads them) after a valid GGUF header whose one tensor
 * fills the file, so that the preloader admits them, and kept for the next run.
 */
final class BenchFiles {
    private BenchFiles() {
    }

    static Path directory() {
        Path dir = Path.of(System.getProperty("hits.dir", System.getProperty("java.io.tmpdir") + "/preloader-hits"));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A size as the benchmark's parameters write it: {@code 256MiB}, {@code 2GiB}. */
    static long bytes(String size) {
        if (size.endsWith("GiB")) {
            return Long.parseLong(size.substring(0, size.length() - 3)) << 30;
        }
        if (size.endsWith("MiB")) {
            return Long.parseLong(size.substring(0, size.length() - 3)) << 20;
        }
        throw new IllegalArgumentException("size " + size + ": write it in MiB or GiB, e.g. 256MiB or 2GiB");
    }

    /** The model's file, of exactly {@code bytes}; written when missing or of another size. */
    static Path model(Path dir, ModelId id, long bytes) {
        Path file = dir.resolve(id.value() + ".gguf");
        try {
            ByteBuffer header = GgufWriter.headerFilling(bytes, "bench");
            if (Files.exists(file) && Files.size(file) == bytes && startsWith(file, header)) {
                return file;
            }
            Path partial = dir.resolve(id.value() + ".partial");
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(16 << 20);
                for (int i = 0; i < chunk.capacity(); i++) {
                    chunk.put(i, (byte) (i * 31 + id.hashCode()));
                }
                out.write(header.duplicate());
                for (long at = header.remaining(); at < bytes; at += chunk.capacity()) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), bytes - at));
                    while (chunk.hasRemaining()) {
                        out.write(chunk);
                    }
                }
                out.force(true);
            }
            return Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write benchmark model " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(Path file, ByteBuffer header) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer start = ByteBuffer.allocate(header.remaining());
            while (start.hasRemaining() && in.read(start) > 0) {
                // until the header's length is read
            }
            return start.flip().equals(header.duplicate());
        }
    }
}
