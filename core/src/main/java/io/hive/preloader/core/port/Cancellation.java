package io.hive.preloader.core.port;

/**
 * Asks a transfer to stop. Any thread may cancel; the transfer notices between chunks, frees what it allocated
 * and fails with {@link TransferCancelledException}. Cancelling twice keeps the first reason.
 */
public final class Cancellation {
    private volatile String reason;

    public void cancel() {
        cancel("cancelled");
    }

    public synchronized void cancel(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /** Why the transfer was cancelled, or null when it was not. */
    public String reason() {
        return reason;
    }

    /** @throws TransferCancelledException when cancelled */
    public void throwIfCancelled(String what) {
        String why = reason;
        if (why != null) {
            throw new TransferCancelledException(what + " " + why);
        }
    }
}
