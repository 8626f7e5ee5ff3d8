package io.hive.preloader.core.testing;

import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ResidentRegion;

import java.lang.foreign.MemorySegment;

/** A region that hands every call to another: a test store overrides only what it changes (a release it watches). */
public class ForwardingRegion implements ResidentRegion {
    protected final ResidentRegion region;

    public ForwardingRegion(ResidentRegion region) {
        this.region = region;
    }

    @Override
    public MemorySegment bytes() {
        return region.bytes();
    }

    @Override
    public long residentBytes() {
        return region.residentBytes();
    }

    @Override
    public Handoff handoff() {
        return region.handoff();
    }

    @Override
    public void release(Release how) {
        region.release(how);
    }
}
