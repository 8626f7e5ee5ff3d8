package io.hive.preloader.core.cache;

/** The copy being loaded no longer matches the file, or was evicted before it was ready; ask again. */
public final class StaleModelException extends RuntimeException {
    public StaleModelException(String message) {
        super(message);
    }
}
