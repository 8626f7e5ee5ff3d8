package io.hive.preloader.core.port;

/**
 * A sink refused an allocation because the copies it holds and this one would pass its bound; nothing was allocated.
 * Freeing a device copy makes room again.
 */
public final class SinkFullException extends StoreException {
    public SinkFullException(String message) {
        super(message);
    }
}
