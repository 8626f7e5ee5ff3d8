package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.StoreException;

/** What reached the device differs from the source; the device copy was freed. */
public final class ChecksumMismatchException extends StoreException {
    public ChecksumMismatchException(String message) {
        super(message);
    }
}
