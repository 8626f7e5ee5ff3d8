package io.hive.preloader.linux;

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
