package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;

/** No configured source has a model of this id. */
public final class UnknownModelException extends RuntimeException {
    public UnknownModelException(ModelId id) {
        super("unknown model '" + id + "': no file of that name in the configured models folders");
    }
}
