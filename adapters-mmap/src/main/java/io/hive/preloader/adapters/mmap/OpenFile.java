package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.Residency;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * A libc descriptor on a model file, held as long as the file's mapping. Holding it pins the inode that was
 * mapped: a model replaced on disk while resident gets a new inode at the same path, and advice given through
 * this descriptor still reaches the old one rather than the new file.
 */
final class OpenFile implements AutoCloseable {
    private final int fd;
    private final Path path;

    private OpenFile(int fd, Path path) {
        this.fd = fd;
        this.path = path;
    }

    static OpenFile open(Path path) {
        return new OpenFile(Libc.open(path, Libc.O_RDONLY), path);
    }

    Path path() {
        return path;
    }

    /** A path that Java can open to reach this very inode, since FileChannel does not expose its descriptor. */
    private Path sameInode() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** The opened file's size, mtime and inode, as a models folder describes them. */
    Fingerprint fingerprint() {
        try {
            return Fingerprint.of(Files.readAttributes(sameInode(), Fingerprint.UNIX_ATTRIBUTES));
        } catch (IOException e) {
            throw new StoreException("cannot stat " + path + ": " + e.getMessage(), e);
        }
    }

    /** The descriptor, for calls about the file itself ({@code cachestat}); it stays open as long as this. */
    int fd() {
        return fd;
    }

    /** A read-only shared mapping of this inode's first {@code size} bytes, or of all of it; unmapped with the arena. */
    MemorySegment map(OptionalLong size, Arena arena) {
        try (FileChannel channel = FileChannel.open(sameInode(), StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size.orElse(channel.size()), arena).asReadOnly();
        } catch (IOException e) {
            throw new StoreException("cannot map " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Bytes of this inode's first {@code size} in the page cache: one {@code cachestat}, or where the kernel will not
     * answer that, {@code mincore} over a mapping made for the question (mapping reads nothing).
     */
    long cachedBytes(long size) {
        OptionalLong cached = Residency.cachedBytes(fd, size, path);
        if (cached.isPresent()) {
            return cached.getAsLong();
        }
        try (Arena arena = Arena.ofConfined()) {
            return Residency.residentBytes(map(OptionalLong.of(size), arena), path);
        }
    }

    /** Asks the kernel to drop the file's clean, unmapped pages from the page cache ({@code vmtouch -e}). */
    void dropFromPageCache() {
        Libc.posixFadvise(fd, 0, 0, Libc.FileAdvice.POSIX_FADV_DONTNEED, path);
    }

    @Override
    public void close() {
        Libc.close(fd, path);
    }
}
