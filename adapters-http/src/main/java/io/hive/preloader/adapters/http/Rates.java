package io.hive.preloader.adapters.http;

import java.time.Duration;

/** Throughput as the API reports it: decimal gigabytes per second, as PCIe and disks are rated. */
final class Rates {
    private Rates() {
    }

    /** Bytes per nanosecond is GB/s; null when nothing was timed (a zero duration would make it infinite). */
    static Double gigabytesPerSecond(long bytes, Duration took) {
        long nanos = took.toNanos();
        return nanos <= 0 ? null : bytes / (double) nanos;
    }
}
