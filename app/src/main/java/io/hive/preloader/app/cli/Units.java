package io.hive.preloader.app.cli;

import io.hive.preloader.core.model.ByteSize;

import java.time.Duration;
import java.util.Locale;

/** How the CLI prints sizes, speeds, shares and durations. */
final class Units {
    private Units() {
    }

    static String bytes(long bytes) {
        return ByteSize.format(bytes);
    }

    /** Decimal gigabytes per second, the unit of the PCIe and disk figures the README compares against. */
    static String rate(long bytes, Duration took) {
        double seconds = Math.max(1, took.toNanos()) / 1e9;
        return String.format(Locale.ROOT, "%.2f GB/s", bytes / seconds / 1e9);
    }

    static String percent(long part, long whole) {
        return whole <= 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * ratio);
    }

    /** Seconds with three decimals for loads; milliseconds or microseconds for what is faster. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
    }

    static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
    }

    static String micros(Duration d) {
        return String.format(Locale.ROOT, "%.1f µs", d.toNanos() / 1e3);
    }
}
