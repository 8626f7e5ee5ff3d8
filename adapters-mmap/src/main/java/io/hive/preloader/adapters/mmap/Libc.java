package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.StoreException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.OptionalLong;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls this adapter needs, bound through FFM. Every handle captures errno into a segment allocated for
 * that one call, so concurrent callers never read each other's errno. Each wrapper turns a failure into a
 * {@link StoreException} naming the call, the errno and the file.
 *
 * <p>Segments are passed as {@code MemorySegment}, never as raw addresses: the linker keeps a segment's arena
 * alive for the duration of the downcall, which is what {@code Reference.reachabilityFence} would otherwise do.
 */
final class Libc {
    /** {@code madvise} advice, named as in {@code <sys/mman.h>} so that messages read like the C call. */
    enum Advice {
        MADV_WILLNEED(3), MADV_DONTNEED(4);

        final int value;

        Advice(int value) {
            this.value = value;
        }
    }

    /** {@code posix_fadvise} advice, named as in {@code <fcntl.h>}. */
    enum FileAdvice {
        POSIX_FADV_WILLNEED(3), POSIX_FADV_DONTNEED(4);

        final int value;

        FileAdvice(int value) {
            this.value = value;
        }
    }

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int RLIMIT_MEMLOCK = 8;
    private static final long RLIM_INFINITY = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final StructLayout RLIMIT = MemoryLayout.structLayout(JAVA_LONG.withName("rlim_cur"), JAVA_LONG.withName("rlim_max"));

    // Each handle takes the errno segment as its first argument, then the C arguments.
    private static final MethodHandle GETPAGESIZE = link("getpagesize", FunctionDescriptor.of(JAVA_INT));                                  // int getpagesize(void);
    private static final MethodHandle OPEN = link("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2)); // int open(const char *pathname, int flags, ...);
    private static final MethodHandle CLOSE = link("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));                                   // int close(int fd);
    private static final MethodHandle MADVISE = link("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));           // int madvise(void *addr, size_t length, int advice);
    private static final MethodHandle MINCORE = link("mincore", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));            // int mincore(void *addr, size_t length, unsigned char *vec);
    private static final MethodHandle MLOCK = link("mlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                         // int mlock(const void *addr, size_t len);
    private static final MethodHandle MUNLOCK = link("munlock", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                     // int munlock(const void *addr, size_t len);
    private static final MethodHandle POSIX_FADVISE = link("posix_fadvise", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT)); // int posix_fadvise(int fd, off_t offset, off_t len, int advice);
    private static final MethodHandle GETRLIMIT = link("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));                  // int getrlimit(int resource, struct rlimit *rlim);

    private static final int PAGE_SIZE = invoke(state -> (int) GETPAGESIZE.invokeExact(state)).value();

    private Libc() {
    }

    static int pageSize() {
        return PAGE_SIZE;
    }

    /** Opens {@code file} read-only; the descriptor is not inherited by child processes. */
    static int open(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(file.toString());
            Result r = invoke(state -> (int) OPEN.invokeExact(state, name, O_RDONLY | O_CLOEXEC));
            if (r.value() == -1) {
                throw failure("open", file, r.errno());
            }
            return r.value();
        }
    }

    static void close(int fd, Path file) {
        Result r = invoke(state -> (int) CLOSE.invokeExact(state, fd));
        if (r.value() == -1) {
            throw failure("close", file, r.errno());
        }
    }

    static void madvise(MemorySegment range, Advice advice, Path file) {
        if (range.byteSize() == 0) {
            return; // an empty file maps to no pages, and a zero-length mapping may have no page-aligned address
        }
        Result r = invoke(state -> (int) MADVISE.invokeExact(state, range, range.byteSize(), advice.value));
        if (r.value() == -1) {
            throw failure("madvise(" + advice + ")", file, r.errno());
        }
    }

    /** Fills {@code vector} with one byte per page of {@code range}; bit 0 set means the page is in RAM. */
    static void mincore(MemorySegment range, MemorySegment vector, Path file) {
        if (range.byteSize() == 0) {
            return;
        }
        Result r = invoke(state -> (int) MINCORE.invokeExact(state, range, range.byteSize(), vector));
        if (r.value() == -1) {
            throw failure("mincore", file, r.errno());
        }
    }

    static void mlock(MemorySegment range, Path file) {
        if (range.byteSize() == 0) {
            return;
        }
        Result r = invoke(state -> (int) MLOCK.invokeExact(state, range, range.byteSize()));
        if (r.value() == -1) {
            throw new StoreException(new LockRefusal(file, range.byteSize(), r.errno(), memlockLimit()).message());
        }
    }

    static void munlock(MemorySegment range, Path file) {
        if (range.byteSize() == 0) {
            return;
        }
        Result r = invoke(state -> (int) MUNLOCK.invokeExact(state, range, range.byteSize()));
        if (r.value() == -1) {
            throw failure("munlock", file, r.errno());
        }
    }

    /** Advises on the whole file. posix_fadvise returns its error number instead of setting errno. */
    static void posixFadvise(int fd, FileAdvice advice, Path file) {
        int error = invoke(state -> (int) POSIX_FADVISE.invokeExact(state, fd, 0L, 0L, advice.value)).value();
        if (error != 0) {
            throw failure("posix_fadvise(" + advice + ")", file, error);
        }
    }

    /** The soft RLIMIT_MEMLOCK in bytes, empty when unlimited. */
    static OptionalLong memlockLimit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(RLIMIT);
            Result r = invoke(state -> (int) GETRLIMIT.invokeExact(state, RLIMIT_MEMLOCK, limit));
            if (r.value() == -1) {
                throw new StoreException("getrlimit(RLIMIT_MEMLOCK) failed: " + Errno.describe(r.errno()));
            }
            long soft = limit.get(JAVA_LONG, 0);
            return soft == RLIM_INFINITY ? OptionalLong.empty() : OptionalLong.of(soft);
        }
    }

    private static StoreException failure(String call, Path file, int errno) {
        return new StoreException(call + " of " + file + " failed: " + Errno.describe(errno));
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor function, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, function, all);
    }

    /** A downcall through one of the handles above, given the errno segment to pass first. */
    @FunctionalInterface
    private interface Downcall {
        int call(MemorySegment callState) throws Throwable;
    }

    /** What a call returned, and errno as it was right after the call (meaningful only when the call failed). */
    private record Result(int value, int errno) {
    }

    /** The one place where invokeExact's {@code throws Throwable} is dealt with. */
    private static Result invoke(Downcall downcall) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int value = downcall.call(state);
            return new Result(value, (int) ERRNO.get(state, 0L));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("a libc downcall threw a checked exception", t);
        }
    }
}
