package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;

/** A model still loading was asked to be evicted; its load must finish first. */
public final class ModelLoadingException extends IllegalStateException {
    public ModelLoadingException(ModelId id) {
        super(id + " is still loading; evict it once its load is done");
    }
}
