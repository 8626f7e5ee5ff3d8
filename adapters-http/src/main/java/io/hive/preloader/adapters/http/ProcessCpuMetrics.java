package io.hive.preloader.adapters.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.lang.management.ManagementFactory;

/**
 * {@code process_cpu_seconds_total}: the CPU time of this process in seconds, the name and unit Prometheus's own
 * clients export, in place of Micrometer's {@code process_cpu_time_ns_total}. Where the JVM does not report it
 * (a JVM without {@code jdk.management}) there is no such counter; where the platform lacks the figure it reads NaN.
 */
final class ProcessCpuMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, ProcessCpuMetrics::seconds).baseUnit("seconds")
                    .description("CPU time used by this process").register(registry);
        }
    }

    private static double seconds(com.sun.management.OperatingSystemMXBean os) {
        long nanos = os.getProcessCpuTime();
        return nanos < 0 ? Double.NaN : nanos / 1e9;
    }
}
