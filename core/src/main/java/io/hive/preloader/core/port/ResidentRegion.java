package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;

/**
 * A model's bytes held in RAM by a {@link RamStore}. The segment stays valid until {@link #release()};
 * the cache calls release only once no lease can read it any more.
 */
public interface ResidentRegion {

    /** The model's bytes, read-only, exactly the file's size. */
    MemorySegment bytes();

    /** Bytes of this region that are in RAM now (for a page-cache mapping, what {@code mincore} reports). */
    long residentBytes();

    /** Frees the memory. Called once; the segment must not be touched afterwards. */
    void release();
}
