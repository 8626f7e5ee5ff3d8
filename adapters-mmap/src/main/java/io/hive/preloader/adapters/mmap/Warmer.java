package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.LinuxException;
import io.hive.preloader.linux.ParallelRanges;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Brings every page of a file mapping into the page cache and into the mapping ({@code vmtouch -t}), or locks them
 * there ({@code vmtouch -l}), in one pass.
 *
 * <ul>
 *   <li>A file wholly in the page cache costs one {@code cachestat} (Linux 6.5, for a file this process owns or may
 *       write: {@link Libc#cachedPages}): its pages are what a worker finds, and this mapping faults them in on first
 *       use for next to nothing. ({@code mincore} looks up every 4 KiB page, some 20 ms per GiB here, and answers
 *       "all resident" for other users' files.)</li>
 *   <li>Otherwise {@code madvise(MADV_WILLNEED)} queues the reads of the whole file and {@link #THREADS} threads
 *       populate the ranges with {@code madvise(MADV_POPULATE_READ)} (Linux 5.14), one call a range, so that several
 *       ranges are in flight. A kernel without it gets one byte of each page read instead.</li>
 *   <li>With the lock, each range is {@code mlock}ed instead: locking populates, so nothing is read twice.</li>
 * </ul>
 * A page that cannot be read (the file truncated under the load, a disk error) fails the load with a message naming
 * the file, whether the kernel says so ({@code EFAULT} from the populate) or the JVM does (a SIGBUS on a touch).
 * Each range brought in is told to the load's content check, which hashes it behind the warmers; a file already
 * cached is told whole, and the check's thread faults its pages in as it hashes them.
 */
final class Warmer {
    static final long RANGE = 32L << 20;
    /** Reads in flight; the work is the disk's, so more threads than CPUs pay off on a cold file. */
    static final int THREADS = 4;

    /** How pages are brought in; {@link #TOUCH} is the fallback, which tests can ask for. */
    enum Method { POPULATE, TOUCH }

    /** Where touched bytes go, so that the JIT cannot prove the reads useless and drop them. */
    @SuppressWarnings("unused")
    private static volatile byte sink;

    private final MemorySegment mapping;
    private final Path file;
    private final boolean lock;
    private final ContentCheck.Hashing hashing;
    private volatile Method method;

    private Warmer(MemorySegment mapping, Path file, boolean lock, Method method, ContentCheck.Hashing hashing) {
        this.mapping = mapping;
        this.file = file;
        this.lock = lock;
        this.method = method;
        this.hashing = hashing;
    }

    /**
     * Returns once every page is in RAM (and locked, with {@code lock}); reports progress from this thread: 0, after
     * each range it read, last exactly the size; tells {@code hashing} of each range once it is in.
     *
     * @param fd the descriptor {@code mapping} was mapped from, open until this returns
     */
    static void warm(MemorySegment mapping, int fd, Path file, boolean lock, Method method, LoadProgress progress,
                     ContentCheck.Hashing hashing) {
        long size = mapping.byteSize();
        if (!lock && size > 0 && cached(fd, size, file)) {
            hashing.filled(0, size);
            progress.advanced(0, size);
            progress.advanced(size, size);
            return;
        }
        Libc.madvise(mapping, Libc.Advice.MADV_WILLNEED, file); // every read queued at once: the disk sees them all
        Warmer warmer = new Warmer(mapping, file, lock, method, hashing);
        ParallelRanges.run((lock ? "page-lock " : "page-populate ") + file, mapping.byteSize(), RANGE, THREADS, warmer::warmRange, progress);
    }

    private void warmRange(long start, long end) {
        MemorySegment range = mapping.asSlice(start, end - start);
        if (lock) {
            try {
                Libc.mlock(range, file);
            } catch (LinuxException e) {
                throw new StoreException(new LockRefusal(file, mapping.byteSize(), e.errno(), Libc.memlockLimit()).message(), e);
            }
        } else if (method != Method.POPULATE || !populate(range, start, end)) {
            touch(range, start);
        }
        hashing.filled(start, end);
    }

    /**
     * Whether the whole file is in the page cache, where the kernel says ({@link Libc#cachedPages}). Asked before any
     * read of this load is queued: the count includes pages whose reads are still in flight.
     */
    private static boolean cached(int fd, long size, Path file) {
        OptionalLong pages = Libc.cachedPages(fd, 0, size, file);
        long page = Libc.pageSize();
        return pages.isPresent() && pages.getAsLong() >= (size + page - 1) / page;
    }

    /** False, with nothing done, where the kernel lacks MADV_POPULATE_READ; every range after touches instead. */
    private boolean populate(MemorySegment range, long start, long end) {
        try {
            if (Libc.adviseIfSupported(range, Libc.Advice.MADV_POPULATE_READ, file)) {
                return true;
            }
        } catch (LinuxException e) {
            throw unreadable("in bytes " + start + " to " + end, e);
        }
        method = Method.TOUCH;
        return false;
    }

    private void touch(MemorySegment range, long start) {
        int page = Libc.pageSize();
        byte seen = 0;
        long offset = 0;
        try {
            for (; offset < range.byteSize(); offset += page) {
                seen ^= range.get(JAVA_BYTE, offset);
            }
        } catch (InternalError fault) {
            // SIGBUS on a mapped page, which the JVM reports this way.
            throw unreadable("at byte " + (start + offset), fault);
        }
        sink = seen;
    }

    private StoreException unreadable(String where, Throwable cause) {
        return new StoreException(file + " could not be read " + where
                + ": the file was truncated or the disk failed while it was loading (" + cause.getMessage() + ")", cause);
    }
}
