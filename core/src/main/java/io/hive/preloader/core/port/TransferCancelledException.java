package io.hive.preloader.core.port;

import java.util.concurrent.CancellationException;

/** A transfer stopped because it was cancelled (or its thread interrupted); nothing it allocated is left behind. */
public final class TransferCancelledException extends CancellationException {
    public TransferCancelledException(String message) {
        super(message);
    }
}
