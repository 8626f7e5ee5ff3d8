package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;

/**
 * A model's bytes held in RAM by a {@link RamStore}. The segment stays valid until {@link #release};
 * the cache calls release once, when no lease can read it any more.
 */
public interface ResidentRegion {

    /** How a region is let go. */
    enum Release {
        /** Evicted: give the RAM back to the host, page-cache copies included. */
        DROP,
        /**
         * Evicted to make room for a load that the cache starts next on the same thread, whose bytes are charged in
         * this region's place: a store may keep the memory for that load instead of freeing and faulting it again
         * (it must not keep it beyond a short while if no load takes it). A store that does not is told as
         * {@link #DROP}.
         */
        MAKE_ROOM,
        /**
         * The preloader is shutting down: free what only this process holds, but leave the file's pages in the
         * page cache, warm for a worker that maps the same file.
         */
        RETAIN_PAGE_CACHE
    }

    /** The model's bytes, read-only, exactly the file's size. */
    MemorySegment bytes();

    /** Bytes of this region that are in RAM now (for a page-cache mapping, what {@code mincore} reports). */
    long residentBytes();

    /** How a worker process can reach these bytes; private memory unless the store says otherwise. */
    default Handoff handoff() {
        return new Handoff.PrivateMemory();
    }

    /** Frees the memory. Called once; the segment must not be touched afterwards. */
    void release(Release how);
}
