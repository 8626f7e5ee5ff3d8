package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;

/** A pinned model was asked to be evicted; it must be unpinned first. */
public final class ModelPinnedException extends IllegalStateException {
    public ModelPinnedException(ModelId id) {
        super(id + " is pinned; unpin it before evicting it");
    }
}
