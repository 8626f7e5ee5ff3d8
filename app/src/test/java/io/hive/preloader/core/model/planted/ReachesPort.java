package io.hive.preloader.core.model.planted;

import io.hive.preloader.core.port.RamStore;

/** A planted violation: a value type knowing a port. */
public class ReachesPort {
    public RamStore store;
}
