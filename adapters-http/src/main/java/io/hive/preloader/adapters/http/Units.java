package io.hive.preloader.adapters.http;

import java.time.Duration;
import java.util.Locale;

/** How the API writes values: durations in seconds, throughput in decimal GB/s (as PCIe and disks are rated), enums in lower case. */
final class Units {
    private Units() {
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    /** Bytes per nanosecond is GB/s; null when nothing was timed (a zero duration would make it infinite). */
    static Double gigabytesPerSecond(long bytes, Duration took) {
        long nanos = took.toNanos();
        return nanos <= 0 ? null : bytes / (double) nanos;
    }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
