package io.hive.preloader.adapters.hugepages;

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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The three libc calls this adapter makes itself (Chronicle Bytes does the mapping), bound through FFM. Each handle
 * captures errno into a segment allocated for that one call; each wrapper turns a failure into a
 * {@link StoreException} naming the call, the errno and the file. Segments are passed as {@code MemorySegment}, so
 * the linker keeps their arena alive for the duration of the downcall.
 */
final class Libc {
    /** {@code madvise(2)}: back this range with transparent huge pages where the kernel allows it. */
    static final int MADV_HUGEPAGE = 14;
    /** {@code statfs.f_type} of a hugetlbfs mount, from {@code <linux/magic.h>}. */
    static final long HUGETLBFS_MAGIC = 0x958458f6L;
    /** {@code statfs.f_type} of tmpfs (and of /dev/shm), from {@code <linux/magic.h>}. */
    static final long TMPFS_MAGIC = 0x01021994L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** {@code struct statfs} of 64-bit Linux (x86-64 and aarch64 alike): 120 bytes. */
    static final StructLayout STATFS = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_type"),      // __fsword_t f_type;
            JAVA_LONG.withName("f_bsize"),     // __fsword_t f_bsize;
            JAVA_LONG.withName("f_blocks"),    // fsblkcnt_t f_blocks;
            JAVA_LONG.withName("f_bfree"),     // fsblkcnt_t f_bfree;
            JAVA_LONG.withName("f_bavail"),    // fsblkcnt_t f_bavail;
            JAVA_LONG.withName("f_files"),     // fsfilcnt_t f_files;
            JAVA_LONG.withName("f_ffree"),     // fsfilcnt_t f_ffree;
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("f_fsid"), // fsid_t f_fsid;
            JAVA_LONG.withName("f_namelen"),   // __fsword_t f_namelen;
            JAVA_LONG.withName("f_frsize"),    // __fsword_t f_frsize;
            JAVA_LONG.withName("f_flags"),     // __fsword_t f_flags;
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("f_spare")); // __fsword_t f_spare[4];
    private static final VarHandle F_TYPE = STATFS.varHandle(MemoryLayout.PathElement.groupElement("f_type"));
    private static final VarHandle F_BSIZE = STATFS.varHandle(MemoryLayout.PathElement.groupElement("f_bsize"));
    private static final VarHandle F_BLOCKS = STATFS.varHandle(MemoryLayout.PathElement.groupElement("f_blocks"));
    private static final VarHandle F_BFREE = STATFS.varHandle(MemoryLayout.PathElement.groupElement("f_bfree"));

    // Each handle takes the errno segment as its first argument, then the C arguments.
    private static final MethodHandle GETPAGESIZE = link("getpagesize", FunctionDescriptor.of(JAVA_INT));                        // int getpagesize(void);
    private static final MethodHandle STATFS_CALL = link("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));          // int statfs(const char *path, struct statfs *buf);
    private static final MethodHandle MADVISE = link("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT)); // int madvise(void *addr, size_t length, int advice);
    private static final MethodHandle MINCORE = link("mincore", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));  // int mincore(void *addr, size_t length, unsigned char *vec);

    private static final int PAGE_SIZE = invoke(state -> (int) GETPAGESIZE.invokeExact(state)).value();

    private Libc() {
    }

    /** The base page size, 4 KiB on x86-64. */
    static int pageSize() {
        return PAGE_SIZE;
    }

    /** What {@code statfs} says about the file system holding {@code path}. */
    record FileSystem(long type, long blockSize, long blocks, long freeBlocks) {
        boolean isHugetlbfs() {
            return type == HUGETLBFS_MAGIC;
        }

        boolean isTmpfs() {
            return type == TMPFS_MAGIC;
        }

        /** hugetlbfs reports no blocks when it was mounted without a {@code size=} limit. */
        boolean limited() {
            return blocks > 0;
        }
    }

    static FileSystem statfs(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toString());
            MemorySegment buf = arena.allocate(STATFS);
            Result r = invoke(state -> (int) STATFS_CALL.invokeExact(state, name, buf));
            if (r.value() == -1) {
                throw failure("statfs", path, r.errno());
            }
            return new FileSystem((long) F_TYPE.get(buf, 0L) & 0xffffffffL, (long) F_BSIZE.get(buf, 0L),
                    (long) F_BLOCKS.get(buf, 0L), (long) F_BFREE.get(buf, 0L));
        }
    }

    /** Advises on a page-aligned range; an empty range is a no-op. */
    static void madvise(MemorySegment range, int advice, String adviceName, Path file) {
        if (range.byteSize() == 0) {
            return;
        }
        Result r = invoke(state -> (int) MADVISE.invokeExact(state, range, range.byteSize(), advice));
        if (r.value() == -1) {
            throw failure("madvise(" + adviceName + ")", file, r.errno());
        }
    }

    /** Fills {@code vector} with one byte per base page of {@code range}; bit 0 set means the page is in RAM. */
    static void mincore(MemorySegment range, MemorySegment vector, Path file) {
        if (range.byteSize() == 0) {
            return;
        }
        Result r = invoke(state -> (int) MINCORE.invokeExact(state, range, range.byteSize(), vector));
        if (r.value() == -1) {
            throw failure("mincore", file, r.errno());
        }
    }

    private static StoreException failure(String call, Path file, int errno) {
        return new StoreException(call + " of " + file + " failed: " + Errno.describe(errno));
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor function) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, function, Linker.Option.captureCallState("errno"));
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
