package io.hive.preloader.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What {@code statfs(2)} says about a file system.
 *
 * @param type       {@code f_type}, the magic number of {@code <linux/magic.h>}
 * @param blockSize  {@code f_bsize}: on hugetlbfs, the huge page size
 * @param blocks     {@code f_blocks}
 * @param freeBlocks {@code f_bfree}
 */
public record StatFs(long type, long blockSize, long blocks, long freeBlocks) {
    public static final long HUGETLBFS_MAGIC = 0x958458f6L;
    /** tmpfs, which {@code /dev/shm} usually is. */
    public static final long TMPFS_MAGIC = 0x01021994L;

    /** {@code struct statfs} of 64-bit Linux (x86-64 and aarch64 alike): 120 bytes. */
    static final StructLayout STRUCT = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_type"),                                   // __fsword_t f_type;
            JAVA_LONG.withName("f_bsize"),                                  // __fsword_t f_bsize;
            JAVA_LONG.withName("f_blocks"),                                 // fsblkcnt_t f_blocks;
            JAVA_LONG.withName("f_bfree"),                                  // fsblkcnt_t f_bfree;
            JAVA_LONG.withName("f_bavail"),                                 // fsblkcnt_t f_bavail;
            JAVA_LONG.withName("f_files"),                                  // fsfilcnt_t f_files;
            JAVA_LONG.withName("f_ffree"),                                  // fsfilcnt_t f_ffree;
            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("f_fsid"),    // fsid_t f_fsid;
            JAVA_LONG.withName("f_namelen"),                                // __fsword_t f_namelen;
            JAVA_LONG.withName("f_frsize"),                                 // __fsword_t f_frsize;
            JAVA_LONG.withName("f_flags"),                                  // __fsword_t f_flags;
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("f_spare")); // __fsword_t f_spare[4];

    /** Reads a {@link #STRUCT} that {@code statfs} filled; {@code f_type} is a 32-bit magic number. */
    static StatFs of(MemorySegment buf) {
        return new StatFs(field(buf, "f_type") & 0xffffffffL, field(buf, "f_bsize"), field(buf, "f_blocks"), field(buf, "f_bfree"));
    }

    private static long field(MemorySegment buf, String name) {
        return buf.get(JAVA_LONG, STRUCT.byteOffset(groupElement(name)));
    }

    public boolean isHugetlbfs() {
        return type == HUGETLBFS_MAGIC;
    }

    public boolean isTmpfs() {
        return type == TMPFS_MAGIC;
    }

    /** hugetlbfs reports no blocks when it was mounted without a {@code size=} limit. */
    public boolean limited() {
        return blocks > 0;
    }
}
