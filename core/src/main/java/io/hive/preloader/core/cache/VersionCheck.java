package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;

/**
 * Whether a copy's version of a model is still the one its source serves (the file at its path was not replaced).
 * The cache asks once per lease taken by id, the hit path, so an implementation should cost one {@code stat} at most.
 */
@FunctionalInterface
public interface VersionCheck {

    boolean isCurrent(ModelDescriptor copy);

    /** For callers that hand the cache only descriptors they have just looked up. */
    static VersionCheck trustCaller() {
        return copy -> true;
    }
}
