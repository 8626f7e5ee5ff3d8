package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.ParallelRanges;
import io.hive.preloader.linux.Prefaulter;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a model into its shared file, in ranges of {@link #RANGE} bytes, by {@link #THREADS} threads from
 * {@link #PARALLEL_FROM} on. In both ways the kernel, not this process, first touches each page of the shared file, so
 * memory that cannot be had (a full tmpfs, no huge page left) fails the copy with an I/O error naming the byte,
 * never a SIGBUS:
 * <ul>
 *   <li>{@link #write}: the kernel's file-to-file copy ({@code sendfile}) into a tmpfs of base pages. Nothing is
 *       mapped or zeroed: as {@code dd of=/dev/shm/…} writes, with one copy where {@code dd} makes two.</li>
 *   <li>{@link #read}: {@code read(2)} into the mapping, where pages can only be had through a mapping (hugetlbfs
 *       has no {@code write}; tmpfs gives transparent huge pages to a mapping advised {@code MADV_HUGEPAGE}), with a
 *       {@link Prefaulter} faulting the mapping in ahead of the reads.</li>
 * </ul>
 */
final class SharedFileCopy {
    static final long RANGE = 64L << 20;
    static final long PARALLEL_FROM = 256L << 20;
    static final int THREADS = 2;

    private SharedFileCopy() {
    }

    /** Copies the first {@code size} bytes of {@code in} into {@code shared} by writing the file. */
    static void write(FileChannel in, Path source, Path shared, long size, LoadProgress progress) {
        ParallelRanges.run("hugepages-copy " + shared, size, RANGE, threads(size), (start, end) -> {
            long at = start;
            // A channel of its own for each range: a channel's position is where a transfer writes.
            try (FileChannel out = FileChannel.open(shared, StandardOpenOption.WRITE)) {
                out.position(start);
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
        }, progress);
    }

    /** Copies the first {@code size} bytes of {@code in} into {@code target}, a mapping of {@code shared}. */
    static void read(FileChannel in, Path source, MemorySegment target, long size, Path shared, LoadProgress progress) {
        Prefaulter prefaulter = Prefaulter.start(target, 0, "hugepages-prefault " + shared);
        try {
            ParallelRanges.run("hugepages-copy " + shared, size, RANGE, threads(size), (start, end) -> {
                prefaulter.claimed(start + RANGE);
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
            }, progress);
        } finally {
            prefaulter.stop();
        }
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
