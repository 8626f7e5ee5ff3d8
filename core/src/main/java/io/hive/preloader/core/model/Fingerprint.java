package io.hive.preloader.core.model;

import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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

    /**
     * The attributes to read, with {@code Files.readAttributes(path, UNIX_ATTRIBUTES)}, for {@link #of}. A source and
     * a store that both build fingerprints this way agree on the same file, down to the mtime's nanoseconds.
     */
    public static final String UNIX_ATTRIBUTES = "unix:size,lastModifiedTime,ino";

    /** The fingerprint of the file whose {@code unix:} attributes (at least {@link #UNIX_ATTRIBUTES}) these are. */
    public static Fingerprint of(Map<String, ?> unixAttributes) {
        return new Fingerprint(((Number) unixAttributes.get("size")).longValue(),
                ((FileTime) unixAttributes.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                ((Number) unixAttributes.get("ino")).longValue());
    }
}
