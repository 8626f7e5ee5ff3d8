package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.LinuxException;
import io.hive.preloader.linux.ParallelRanges;
import io.hive.preloader.linux.Residency;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Brings every page of a file mapping into the page cache and into the mapping ({@code vmtouch -t}), or locks them
 * there ({@code vmtouch -l}), in one pass.
 *
 * <ul>
 *   <li>Ranges of {@link #RANGE} bytes already in the page cache cost one {@code mincore} each, where that call can
 *       see the file ({@link Residency#reportedFor}): their pages are what a worker finds, and this mapping faults
 *       them in on first use for next to nothing. A file wholly cached costs no more than that.</li>
 *   <li>Otherwise {@code madvise(MADV_WILLNEED)} queues the reads of the whole file and {@link #THREADS} threads
 *       populate the ranges with {@code madvise(MADV_POPULATE_READ)} (Linux 5.14), one call a range, so that several
 *       ranges are in flight. A kernel without it gets one byte of each page read instead.</li>
 *   <li>With the lock, each range is {@code mlock}ed instead: locking populates, so nothing is read twice.</li>
 * </ul>
 * A page that cannot be read (the file truncated under the load, a disk error) fails the load with a message naming
 * the file, whether the kernel says so ({@code EFAULT} from the populate) or the JVM does (a SIGBUS on a touch).
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
    private final boolean residencyVisible;
    private volatile Method method;

    private Warmer(MemorySegment mapping, Path file, boolean lock, boolean residencyVisible, Method method) {
        this.mapping = mapping;
        this.file = file;
        this.lock = lock;
        this.residencyVisible = residencyVisible;
        this.method = method;
    }

    /**
     * Returns once every page is in RAM (and locked, with {@code lock}); reports progress from this thread after each
     * range it walked, last exactly the size.
     *
     * @param residencyVisible whether {@code mincore} sees this file's page cache: only then are cached ranges skipped
     */
    static void warm(MemorySegment mapping, Path file, boolean lock, boolean residencyVisible, Method method, LoadProgress progress) {
        if (!residencyVisible || Residency.residentBytes(mapping, file) < mapping.byteSize()) {
            Libc.madvise(mapping, Libc.Advice.MADV_WILLNEED, file); // every read queued at once: the disk sees them all
        }
        Warmer warmer = new Warmer(mapping, file, lock, residencyVisible, method);
        ParallelRanges.run((lock ? "page-lock " : "page-populate ") + file, mapping.byteSize(), RANGE, THREADS, warmer::warmRange, progress);
    }

    private void warmRange(long start, long end) {
        MemorySegment range = mapping.asSlice(start, end - start);
        if (!lock && residencyVisible && Residency.residentBytes(range, file) == range.byteSize()) {
            return; // cached already: a worker finds it, and this mapping faults it in for next to nothing
        }
        if (lock) {
            try {
                Libc.mlock(range, file);
            } catch (LinuxException e) {
                throw new StoreException(new LockRefusal(file, mapping.byteSize(), e.errno(), Libc.memlockLimit()).message(), e);
            }
        } else if (method != Method.POPULATE || !populate(range, start, end)) {
            touch(range, start);
        }
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
