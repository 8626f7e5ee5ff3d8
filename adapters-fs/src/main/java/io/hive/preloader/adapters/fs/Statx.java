package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code statx(2)} through FFM, the one libc call of this module: the hit path's check that a model file was not
 * replaced costs one system call and allocates nothing (a buffer per thread; the caller keeps each path as a C
 * string), where the JDK's attribute reading allocates about 180 bytes per call. {@code statx} has one layout on
 * every architecture (glibc 2.28, Linux 4.11); where it is missing, {@link #available()} is false.
 */
final class Statx {
    /** How a file compares with a fingerprint. */
    enum Match { SAME, DIFFERENT, MISSING, UNREADABLE }

    private static final int AT_FDCWD = -100;
    private static final int STATX_MTIME = 0x40;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 0x200;
    private static final int ENOENT = 2;
    private static final int ENOTDIR = 20;
    // struct statx: __u32 stx_mask at 0, __u64 stx_ino at 32, __u64 stx_size at 40, then four struct statx_timestamp
    // { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; } from 64: atime, btime, ctime, mtime (at 112); 256 bytes in all.
    private static final long STX_MASK = 0;
    private static final long STX_INO = 32;
    private static final long STX_SIZE = 40;
    private static final long STX_MTIME_SEC = 112;
    private static final long STX_MTIME_NSEC = 120;
    private static final long STRUCT_SIZE = 256;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    // int statx(int dirfd, const char *restrict pathname, int flags, unsigned int mask, struct statx *restrict statxbuf);
    private static final Optional<MethodHandle> STATX = link();
    /** The struct and the errno of each thread: a hit allocates neither. */
    private static final ThreadLocal<MemorySegment[]> BUFFERS = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new MemorySegment[]{arena.allocate(STRUCT_SIZE, 8), arena.allocate(CALL_STATE)};
    });

    private Statx() {
    }

    static boolean available() {
        return STATX.isPresent();
    }

    /** The path as the C string {@link #compare} takes; keep it, it is the allocation a call would otherwise make. */
    static MemorySegment path(String path) {
        return Arena.ofAuto().allocateFrom(path);
    }

    /** Follows symlinks, as a look-up of the model by its path does. Only when {@link #available()}. */
    static Match compare(MemorySegment cPath, Fingerprint expected) {
        MemorySegment[] buffers = BUFFERS.get();
        MemorySegment buffer = buffers[0];
        MemorySegment state = buffers[1];
        int result;
        try {
            result = (int) STATX.orElseThrow().invokeExact(state, AT_FDCWD, cPath, 0, STATX_MTIME | STATX_INO | STATX_SIZE, buffer);
        } catch (Throwable t) {
            return Match.UNREADABLE;
        }
        if (result != 0) {
            int errno = (int) ERRNO.get(state, 0L);
            return errno == ENOENT || errno == ENOTDIR ? Match.MISSING : Match.UNREADABLE;
        }
        int wanted = STATX_MTIME | STATX_INO | STATX_SIZE;
        if ((buffer.get(JAVA_INT, STX_MASK) & wanted) != wanted) {
            return Match.UNREADABLE; // a file system that cannot tell: let the caller look the slow way
        }
        long mtime = buffer.get(JAVA_LONG, STX_MTIME_SEC) * 1_000_000_000L + Integer.toUnsignedLong(buffer.get(JAVA_INT, STX_MTIME_NSEC));
        boolean same = buffer.get(JAVA_LONG, STX_INO) == expected.inode() && buffer.get(JAVA_LONG, STX_SIZE) == expected.size()
                && mtime == expected.modifiedNanos();
        return same ? Match.SAME : Match.DIFFERENT;
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    private static Optional<MethodHandle> link() {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find("statx").map(symbol -> linker.downcallHandle(symbol,
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                Linker.Option.captureCallState("errno")));
    }
}
