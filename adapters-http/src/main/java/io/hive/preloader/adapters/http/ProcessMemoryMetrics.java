package io.hive.preloader.adapters.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process's memory as the kernel counts it ({@code /proc/self/status}): resident set, its peak, and virtual
 * size. Mapped and native memory, where resident models live, show here and not in the JVM's heap metrics.
 * Where the file does not exist (not Linux) the gauges read NaN.
 */
final class ProcessMemoryMetrics implements MeterBinder {
    private final Path status;

    ProcessMemoryMetrics() {
        this(Path.of("/proc/self/status"));
    }

    ProcessMemoryMetrics(Path status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        gauge(registry, "process.resident.memory", "VmRSS", "Resident set size of this process");
        gauge(registry, "process.resident.memory.peak", "VmHWM", "Peak resident set size of this process");
        gauge(registry, "process.virtual.memory", "VmSize", "Virtual memory size of this process");
    }

    private void gauge(MeterRegistry registry, String name, String field, String description) {
        Gauge.builder(name, this, m -> m.read(field)).baseUnit(BaseUnits.BYTES).description(description).register(registry);
    }

    /** A {@code Field:   1234 kB} line of the status file, in bytes; NaN when the file or the field is missing. */
    double read(String field) {
        try {
            Matcher line = Pattern.compile("(?m)^" + Pattern.quote(field) + ":\\s*(\\d+)\\s*((?i:kB))?").matcher(Files.readString(status));
            return line.find() ? Long.parseLong(line.group(1)) * (line.group(2) == null ? 1.0 : 1024.0) : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
