package io.hive.preloader.adapters.mmap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files written and flushed to disk. The kernel drops only clean pages from the page cache, so a test about
 * eviction needs its file written back first, as a model downloaded long ago would be.
 */
final class CleanFiles {
    private CleanFiles() {
    }

    static Path write(Path dir, String name, byte[] contents) {
        Path file = dir.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(contents);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the whole file through the page cache, which leaves it resident there. */
    static void readThroughCache(Path file) {
        try {
            Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this process still maps or holds open {@code file}, from /proc/self. */
    static boolean processStillReferences(Path file) {
        try {
            String name = file.toString();
            if (Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(name))) {
                return true;
            }
            try (var fds = Files.list(Path.of("/proc/self/fd"))) {
                return fds.anyMatch(fd -> {
                    try {
                        return Files.readSymbolicLink(fd).toString().startsWith(name);
                    } catch (IOException gone) {
                        return false; // the descriptor Files.list itself used, closed since
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
