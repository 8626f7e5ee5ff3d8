package io.hive.preloader.core.cache;

/** The cache was closed: it serves and admits nothing more. */
public final class CacheClosedException extends IllegalStateException {
    public CacheClosedException() {
        super("the model cache is closed");
    }
}
