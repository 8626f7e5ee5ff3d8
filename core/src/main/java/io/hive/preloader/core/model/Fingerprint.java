package io.hive.preloader.core.model;

/**
 * What identifies one version of a model file on disk. A file replaced in place (same path) gets a new
 * inode or mtime, so a cached copy whose fingerprint differs from the file's is stale.
 */
public record Fingerprint(long size, long modifiedNanos, long inode) {
    public Fingerprint {
        if (size < 0) {
            throw new IllegalArgumentException("file size is negative: " + size);
        }
    }
}
