package io.hive.preloader.linux;

import io.hive.preloader.core.model.Fingerprint;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Whether a file is still the version a {@link Fingerprint} describes, by one {@code statx(2)} that follows symlinks:
 * the cache's hit path asks on every hit, so this allocates nothing (a struct and an errno segment per thread; the
 * caller keeps each path as the C string {@link #path} makes), where the JDK's attribute reading allocates about 180
 * bytes per call. {@code statx} has one layout on every architecture; where libc lacks it (before glibc 2.28, Linux
 * 4.11) the answer is {@link Match#UNSUPPORTED} and the caller asks the JDK.
 */
public final class FileStatus {
    /**
     * How a file compares with a fingerprint. {@code INCOMPLETE}: the file system answered without all of inode, size
     * and mtime (NFS, FUSE and others may): its answer will not change, so the caller should ask a plain {@code stat}.
     */
    public enum Match { SAME, DIFFERENT, MISSING, UNREADABLE, UNSUPPORTED, INCOMPLETE }

    private static final int AT_FDCWD = -100;
    private static final int STATX_MTIME = 0x40;
    private static final int STATX_INO = 0x100;
    private static final int STATX_SIZE = 0x200;
    private static final int WANTED = STATX_MTIME | STATX_INO | STATX_SIZE;
    // struct statx: __u32 stx_mask at 0, __u64 stx_ino at 32, __u64 stx_size at 40, then four struct statx_timestamp
    // { __s64 tv_sec; __u32 tv_nsec; __s32 __reserved; } from 64: atime, btime, ctime, mtime (at 112); 256 bytes in all.
    private static final long STX_MASK = 0;
    private static final long STX_INO = 32;
    private static final long STX_SIZE = 40;
    private static final long STX_MTIME_SEC = 112;
    private static final long STX_MTIME_NSEC = 120;
    private static final long STRUCT_SIZE = 256;

    /** Each thread's struct and errno: a hit allocates neither. */
    private static final ThreadLocal<MemorySegment[]> BUFFERS = ThreadLocal.withInitial(() -> {
        Arena arena = Arena.ofAuto();
        return new MemorySegment[]{arena.allocate(STRUCT_SIZE, 8), arena.allocate(Downcalls.callStateLayout())};
    });

    private FileStatus() {
    }

    /** The path as the C string {@link #compare} takes: keep it, it is the allocation a call would otherwise make. */
    public static MemorySegment path(String path) {
        return Arena.ofAuto().allocateFrom(path);
    }

    public static Match compare(MemorySegment cPath, Fingerprint expected) {
        MemorySegment[] buffers = BUFFERS.get();
        MemorySegment buffer = buffers[0];
        MemorySegment state = buffers[1];
        if (Libc.statx(state, AT_FDCWD, cPath, 0, WANTED, buffer) != 0) {
            int errno = Downcalls.errno(state);
            if (errno == Errno.ENOENT.number() || errno == Errno.ENOTDIR.number()) {
                return Match.MISSING;
            }
            return errno == Errno.ENOSYS.number() ? Match.UNSUPPORTED : Match.UNREADABLE;
        }
        if ((buffer.get(JAVA_INT, STX_MASK) & WANTED) != WANTED) {
            return Match.INCOMPLETE;
        }
        long mtime = buffer.get(JAVA_LONG, STX_MTIME_SEC) * 1_000_000_000L + Integer.toUnsignedLong(buffer.get(JAVA_INT, STX_MTIME_NSEC));
        boolean same = buffer.get(JAVA_LONG, STX_INO) == expected.inode() && buffer.get(JAVA_LONG, STX_SIZE) == expected.size()
                && mtime == expected.modifiedNanos();
        return same ? Match.SAME : Match.DIFFERENT;
    }
}
