package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.ParallelRanges;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a model into its shared file. In both ways the kernel, not this process, first touches each page of the
 * shared file, so memory that cannot be had (a full tmpfs, no huge page left) fails the copy with an I/O error naming
 * the byte, never a SIGBUS:
 * <ul>
 *   <li>{@link #write}: the kernel's file-to-file copy ({@code sendfile}) into a tmpfs of base pages: nothing is mapped
 *       or zeroed, one copy where {@code dd of=/dev/shm/…} makes two. One thread: writes to one file take its inode
 *       lock in turn, so a second writer only adds CPU (measured here, 512 MiB warm, medians of 6 to 12 runs: one
 *       writer 1.2 to 2.1 GB/s on 0.21 CPU-seconds, two 0.7 to 2.1 on 0.27-0.30, one writer with a thread faulting a
 *       mapping in ahead 0.8 to 2.7 on 0.34-0.38, beside {@code dd} at 0.9 to 1.3).</li>
 *   <li>{@link #read}: {@code read(2)} into the mapping, where pages can only be had through a mapping (hugetlbfs has
 *       no {@code write}; tmpfs gives transparent huge pages to a mapping advised {@code MADV_HUGEPAGE}), in ranges of
 *       {@link #RANGE} bytes by {@link #THREADS} threads from {@link #PARALLEL_FROM} on, whose page faults (a huge
 *       page zeroed each) overlap. No thread faults ahead: on hugetlbfs (256 MiB, medians of 6) two readers took
 *       6.1 GB/s, one 3.7, two with a prefaulting thread 2.9.</li>
 * </ul>
 * Both tell the load's content check of each range once it is in the shared file, which it reads through the mapping.
 */
final class SharedFileCopy {
    static final long RANGE = 64L << 20;
    static final long PARALLEL_FROM = 256L << 20;
    static final int THREADS = 2;

    private SharedFileCopy() {
    }

    /** Copies the first {@code size} bytes of {@code in} into {@code shared} by writing the file, reporting each range. */
    static void write(FileChannel in, Path source, Path shared, long size, LoadProgress progress, ContentCheck.Hashing hashing) {
        try (FileChannel out = FileChannel.open(shared, StandardOpenOption.WRITE)) {
            ParallelRanges.run("hugepages-copy " + shared, size, RANGE, 1, (start, end) -> {
                long at = start;
                try {
                    while (at < end) {
                        long moved = in.transferTo(at, end - at, out);
                        if (moved == 0) {
                            throw shrank(source, at, size);
                        }
                        at += moved;
                    }
                } catch (IOException e) {
                    throw failed(source, shared, at, e);
                }
                hashing.filled(start, end);
            }, progress);
        } catch (IOException e) {
            throw new StoreException("cannot open the shared file " + shared + " to copy " + source + " into it: " + e.getMessage(), e);
        }
    }

    /** Copies the first {@code size} bytes of {@code in} into {@code target}, a mapping of {@code shared}. */
    static void read(FileChannel in, Path source, MemorySegment target, long size, Path shared, LoadProgress progress,
                     ContentCheck.Hashing hashing) {
        ParallelRanges.run("hugepages-copy " + shared, size, RANGE, threads(size), (start, end) -> {
            ByteBuffer window = target.asSlice(start, end - start).asByteBuffer();
            while (window.hasRemaining()) {
                int read;
                try {
                    read = in.read(window, start + window.position());
                } catch (IOException e) {
                    throw failed(source, shared, start + window.position(), e);
                }
                if (read < 0) {
                    throw shrank(source, start + window.position(), size);
                }
            }
            hashing.filled(start, end);
        }, progress);
    }

    private static int threads(long size) {
        return size >= PARALLEL_FROM ? THREADS : 1;
    }

    private static StoreException failed(Path source, Path shared, long at, IOException e) {
        return new StoreException("copying " + source + " into the shared file " + shared + " failed at byte " + at + ": "
                + e.getMessage() + " (a page of the shared file could not be allocated, or the model could not be read)", e);
    }

    private static StoreException shrank(Path source, long at, long size) {
        return new StoreException(source + " shrank while it was loading: it ended at byte " + at + " of " + size);
    }
}
