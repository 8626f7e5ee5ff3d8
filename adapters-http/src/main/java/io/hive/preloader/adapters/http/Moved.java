package io.hive.preloader.adapters.http;

import java.time.Duration;

/**
 * Bytes moved (loaded from disk, or copied to a device) and the time spent moving them, both since the server
 * started. Kept as one value so that a reader never pairs one load's bytes with another's time.
 */
record Moved(long bytes, long nanos) {
    static final Moved NOTHING = new Moved(0, 0);

    Moved plus(long moreBytes, Duration took) {
        return new Moved(bytes + moreBytes, nanos + took.toNanos());
    }

    /**
     * What moved since {@code earlier}. A total below the earlier one means its counter started again (a reset, as
     * Prometheus treats one): everything now counted moved since then.
     */
    Moved since(Moved earlier) {
        return bytes < earlier.bytes || nanos < earlier.nanos ? this : new Moved(bytes - earlier.bytes, nanos - earlier.nanos);
    }

    /** Decimal GB/s over the time spent moving; null when nothing was timed. */
    Double gigabytesPerSecond() {
        return Units.gigabytesPerSecond(bytes, Duration.ofNanos(nanos));
    }
}
