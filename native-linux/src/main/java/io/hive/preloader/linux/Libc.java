package io.hive.preloader.linux;

import io.hive.preloader.linux.Downcalls.Result;
import io.hive.preloader.linux.Downcalls.Symbol;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.OptionalLong;

import static io.hive.preloader.linux.Downcalls.check;
import static io.hive.preloader.linux.Downcalls.invoke;
import static io.hive.preloader.linux.Downcalls.link;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls the stores make, bound through FFM in one table (how each is linked and called, errno captured per
 * call, is {@link Downcalls}'); each wrapper turns a failure into a {@link LinuxException} naming the call, what it
 * was about ({@code what}: a file, or what memory holds) and the errno. Ranges of length 0 are no-ops: an empty file
 * maps to no pages, and may have no page-aligned address.
 *
 * <p>Segments are passed as {@code MemorySegment}, never as raw addresses: the linker keeps a segment's arena alive
 * for the duration of the downcall, which is what {@code Reference.reachabilityFence} would otherwise do.
 *
 * <p>A function this libc lacks does not fail the class: its handle answers -1 with ENOSYS, as a kernel without the
 * call would, and {@link #adviseIfSupported} reports such a call, or an advice the kernel does not know, as
 * unsupported so that the caller falls back.
 */
public final class Libc {
    /** {@code madvise} advice, named as in {@code <sys/mman.h>} so that messages read like the C call. */
    public enum Advice {
        MADV_WILLNEED(3), MADV_DONTNEED(4), MADV_HUGEPAGE(14),
        /** Leave the range out of a core dump. */
        MADV_DONTDUMP(16),
        /** Linux 5.14 and later: fault every page in, readable, as reading a byte of each would, in one call. */
        MADV_POPULATE_READ(22),
        /** Linux 5.14 and later: fault every page in, writable (fresh private pages are allocated and zeroed). */
        MADV_POPULATE_WRITE(23);

        final int value;

        Advice(int value) {
            this.value = value;
        }
    }

    /** {@code posix_fadvise} advice, named as in {@code <fcntl.h>}. */
    public enum FileAdvice {
        POSIX_FADV_WILLNEED(3), POSIX_FADV_DONTNEED(4);

        final int value;

        FileAdvice(int value) {
            this.value = value;
        }
    }

    public static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int RLIMIT_MEMLOCK = 8;
    private static final long RLIM_INFINITY = -1L;

    /** Linux 6.5, the same number on every architecture. */
    private static final long SYS_CACHESTAT = 451;
    private static final StructLayout CACHESTAT_RANGE = MemoryLayout.structLayout(JAVA_LONG.withName("off"), JAVA_LONG.withName("len"));
    private static final StructLayout CACHESTAT_RESULT = MemoryLayout.structLayout(JAVA_LONG.withName("nr_cache"),
            JAVA_LONG.withName("nr_dirty"), JAVA_LONG.withName("nr_writeback"), JAVA_LONG.withName("nr_evicted"),
            JAVA_LONG.withName("nr_recently_evicted"));
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));

    // Each handle takes the errno segment as its first argument, then the C arguments; each is linked on its first call.
    private static final Symbol GETPAGESIZE = new Symbol("getpagesize", FunctionDescriptor.of(JAVA_INT));                                   // int getpagesize(void);
    private static final Symbol OPEN = new Symbol("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2)); // int open(const char *pathname, int flags, ...);
    private static final Symbol CLOSE = new Symbol("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));                                    // int close(int fd);
    private static final Symbol PREAD = new Symbol("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));   // ssize_t pread(int fd, void *buf, size_t count, off_t offset);
    private static final Symbol POSIX_FADVISE = new Symbol("posix_fadvise", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT)); // int posix_fadvise(int fd, off_t offset, off_t len, int advice);
    private static final Symbol STATFS = new Symbol("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));                          // int statfs(const char *path, struct statfs *buf);
    private static final Symbol MMAP = new Symbol("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG)); // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
    private static final Symbol MUNMAP = new Symbol("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                        // int munmap(void *addr, size_t length);
    private static final Symbol MADVISE = new Symbol("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));            // int madvise(void *addr, size_t length, int advice);
    private static final Symbol MINCORE = new Symbol("mincore", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));             // int mincore(void *addr, size_t length, unsigned char *vec);
    private static final Symbol MLOCK = new Symbol("mlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                          // int mlock(const void *addr, size_t len);
    private static final Symbol MUNLOCK = new Symbol("munlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                      // int munlock(const void *addr, size_t len);
    private static final Symbol GETRLIMIT = new Symbol("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));                   // int getrlimit(int resource, struct rlimit *rlim);
    private static final Symbol CACHESTAT = new Symbol("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT),
            Linker.Option.firstVariadicArg(1));                                                                                    // long syscall(SYS_cachestat, unsigned int fd, struct cachestat_range *range, struct cachestat *cstat, unsigned int flags);

    /** statx, on the cache's hit path: a constant handle the JIT inlines, linked when this class is first used. */
    private static final class Statx {
        static final MethodHandle HANDLE = link("statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS)); // int statx(int dirfd, const char *restrict pathname, int flags, unsigned int mask, struct statx *restrict statxbuf);
    }

    private static final int PAGE_SIZE = (int) invoke(state -> (int) GETPAGESIZE.handle().invokeExact(state)).value();

    private Libc() {
    }

    /** The base page size, 4 KiB on x86-64. */
    public static int pageSize() {
        return PAGE_SIZE;
    }

    /** Opens {@code file} with {@code flags} and always {@code O_CLOEXEC}: no child process inherits the descriptor. */
    public static int open(Path file, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(file.toString());
            return (int) check(invoke(state -> (int) OPEN.handle().invokeExact(state, name, flags | O_CLOEXEC)), "open", file);
        }
    }

    public static void close(int fd, Object what) {
        check(invoke(state -> (int) CLOSE.handle().invokeExact(state, fd)), "close", what);
    }

    /** Reads into {@code into} from {@code offset} of the file; returns the bytes read, fewer at its end, 0 past it. */
    public static long pread(int fd, MemorySegment into, long offset, Object what) {
        while (true) {
            Result r = invoke(state -> (long) PREAD.handle().invokeExact(state, fd, into, into.byteSize(), offset));
            if (r.errno() != Errno.EINTR.number() || r.value() != -1) {
                return check(r, "pread", what);
            }
        }
    }

    /** Advises on {@code length} bytes from {@code offset}; 0 means to the end. It returns its error, not errno. */
    public static void posixFadvise(int fd, long offset, long length, FileAdvice advice, Object what) {
        int error = (int) invoke(state -> (int) POSIX_FADVISE.handle().invokeExact(state, fd, offset, length, advice.value)).value();
        if (error != 0) {
            throw new LinuxException("posix_fadvise(" + advice + ")", what, error);
        }
    }

    /** What {@code statfs} says about the file system holding {@code path}. */
    public static StatFs statfs(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment buf = arena.allocate(StatFs.STRUCT);
            check(invoke(state -> (int) STATFS.handle().invokeExact(state, name, buf)), "statfs", path);
            return StatFs.of(buf);
        }
    }

    public static void madvise(MemorySegment range, Advice advice, Object what) {
        if (range.byteSize() > 0) {
            check(advise(range, advice), "madvise(" + advice + ")", what);
        }
    }

    /**
     * Gives advice the kernel may not know. False, with nothing done, where it answers EINVAL for a page-aligned
     * range (an advice newer than the kernel, such as {@code MADV_POPULATE_READ} before Linux 5.14, or
     * {@code MADV_HUGEPAGE} on a kernel built without transparent huge pages) or where libc has no madvise; true once
     * taken. Any other failure throws.
     *
     * @throws IllegalArgumentException when {@code range} does not start on a page, which would make EINVAL ambiguous
     */
    public static boolean adviseIfSupported(MemorySegment range, Advice advice, Object what) {
        if (range.byteSize() == 0) {
            return true;
        }
        if (range.address() % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("madvise(" + advice + ") of " + what + ": 0x" + Long.toHexString(range.address())
                    + " is not page-aligned");
        }
        Result r = advise(range, advice);
        if (r.value() == -1 && (r.errno() == Errno.EINVAL.number() || r.errno() == Errno.ENOSYS.number())) {
            return false;
        }
        check(r, "madvise(" + advice + ")", what);
        return true;
    }

    private static Result advise(MemorySegment range, Advice advice) {
        return invoke(state -> (int) MADVISE.handle().invokeExact(state, range, range.byteSize(), advice.value));
    }

    /** Fills {@code vector} with one byte per base page of {@code range}; bit 0 set means the page is in RAM. */
    public static void mincore(MemorySegment range, MemorySegment vector, Object what) {
        if (range.byteSize() > 0) {
            check(invoke(state -> (int) MINCORE.handle().invokeExact(state, range, range.byteSize(), vector)), "mincore", what);
        }
    }

    /**
     * How many pages of {@code length} bytes of the file from {@code offset} are in the page cache, by
     * {@code cachestat(2)}: one call however large the range, where {@code mincore} looks up every page. Empty where
     * the kernel cannot say: before Linux 6.5 (ENOSYS), and for a file this process neither owns nor may write
     * (EPERM; {@code mincore} answers "all resident" for such a file instead of refusing).
     */
    public static OptionalLong cachedPages(int fd, long offset, long length, Object what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(CACHESTAT_RANGE);
            range.set(JAVA_LONG, 0, offset);
            range.set(JAVA_LONG, 8, length);
            MemorySegment result = arena.allocate(CACHESTAT_RESULT);
            Result r = invoke(state -> (long) CACHESTAT.handle().invokeExact(state, SYS_CACHESTAT, fd, range, result, 0));
            if (r.value() == -1 && (r.errno() == Errno.ENOSYS.number() || r.errno() == Errno.EPERM.number())) {
                return OptionalLong.empty();
            }
            check(r, "cachestat", what);
            return OptionalLong.of(result.get(JAVA_LONG, 0));
        }
    }

    public static void mlock(MemorySegment range, Object what) {
        if (range.byteSize() > 0) {
            check(invoke(state -> (int) MLOCK.handle().invokeExact(state, range, range.byteSize())), "mlock", what);
        }
    }

    public static void munlock(MemorySegment range, Object what) {
        if (range.byteSize() > 0) {
            check(invoke(state -> (int) MUNLOCK.handle().invokeExact(state, range, range.byteSize())), "munlock", what);
        }
    }

    /** The soft RLIMIT_MEMLOCK in bytes, empty when unlimited. */
    public static OptionalLong memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(RLIMIT);
            check(invoke(state -> (int) GETRLIMIT.handle().invokeExact(state, RLIMIT_MEMLOCK, limit)), "getrlimit", "RLIMIT_MEMLOCK");
            long soft = limit.get(JAVA_LONG, 0);
            return soft == RLIM_INFINITY ? OptionalLong.empty() : OptionalLong.of(soft);
        }
    }

    /** Maps {@code length} bytes of fresh, private, read-write memory; {@link AnonymousMemory} owns what it maps. */
    static long mmapAnonymous(long length, Object what) {
        return check(invoke(state -> ((MemorySegment) MMAP.handle().invokeExact(state, MemorySegment.NULL, length, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L)).address()), "mmap(MAP_PRIVATE|MAP_ANONYMOUS)", what);
    }

    /** Unmaps; with {@code what} null it reports nothing, for a cleanup that has no one to report to. */
    static void munmap(long address, long length, Object what) {
        Result r = invoke(state -> (int) MUNMAP.handle().invokeExact(state, MemorySegment.ofAddress(address), length));
        if (what != null) {
            check(r, "munmap", what);
        }
    }

    /**
     * {@code statx} into the caller's buffers, allocating nothing, for {@link FileStatus}'s check made on every cache
     * hit: 0, or -1 with errno in {@code callState} (a segment of {@link Downcalls#callStateLayout}).
     */
    static int statx(MemorySegment callState, int dirfd, MemorySegment path, int flags, int mask, MemorySegment into) {
        try {
            return (int) Statx.HANDLE.invokeExact(callState, dirfd, path, flags, mask, into);
        } catch (Throwable t) {
            throw Downcalls.unchecked(t);
        }
    }
}
