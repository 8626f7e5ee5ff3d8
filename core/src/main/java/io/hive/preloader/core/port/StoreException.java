package io.hive.preloader.core.port;

/** A store or sink could not do what it was asked; the message names the file or call and the cause. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
