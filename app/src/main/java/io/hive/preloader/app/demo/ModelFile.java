package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgufWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/** Writes a generated GGUF model: its header, then pseudo-random tensor data, into a file renamed into place once whole. */
final class ModelFile {
    private static final int CHUNK = 8 << 20;

    private ModelFile() {
    }

    /**
     * @param wordMask ANDed into every 64-bit word of the data: {@code -1} keeps the bits random; a mask that clears
     *                 exponent bits keeps every float the words hold finite
     */
    static Path write(Path file, GgufWriter layout, long seed, long wordMask) {
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, layout.header());
                fill(out, layout.dataSize(), seed, wordMask);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the first failure is the one to report
            }
            throw new UncheckedIOException("cannot write model " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code bytes} pseudo-random bytes in chunks of 8 MiB, refilling one direct buffer from a fast generator. */
    private static void fill(FileChannel out, long bytes, long seed, long wordMask) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long[] words = new long[CHUNK / Long.BYTES];
        for (long left = bytes; left > 0; ) {
            for (int i = 0; i < words.length; i++) {
                words[i] = random.nextLong() & wordMask;
            }
            LongBuffer view = chunk.clear().asLongBuffer();
            view.put(words);
            int n = (int) Math.min(CHUNK, left);
            chunk.limit(n);
            writeFully(out, chunk);
            left -= n;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
