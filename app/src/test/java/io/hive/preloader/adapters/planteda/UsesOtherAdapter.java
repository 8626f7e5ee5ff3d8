package io.hive.preloader.adapters.planteda;

import io.hive.preloader.adapters.plantedb.OtherAdapter;

/** A planted violation: one adapter reaching into another. */
public class UsesOtherAdapter {
    public OtherAdapter other = new OtherAdapter();
}
