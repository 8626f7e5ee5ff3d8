package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.port.HostMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The host's RAM as Linux reports it in {@code /proc/meminfo}. Read afresh on every call: available memory moves.
 * Lines look like {@code MemAvailable:   12345678 kB}; the kernel's "kB" means KiB. Inside a container, the cgroup's
 * limit is read too (see {@link #cgroupRoomBytes}).
 */
public final class ProcMeminfo implements HostMemory {
    private static final Path PROC_MEMINFO = Path.of("/proc/meminfo");
    private static final Path PROC_PRESSURE = Path.of("/proc/pressure/memory");

    private static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");

    private final Path meminfo;
    private final Path pressure;
    private final CgroupLimit cgroup;

    public ProcMeminfo() {
        this(PROC_MEMINFO, PROC_PRESSURE);
    }

    /** Reads another file in the same format; for tests, or a container's view of its limits. */
    public ProcMeminfo(Path meminfo) {
        this(meminfo, PROC_PRESSURE);
    }

    /** Also reads memory pressure (PSI) from another file in the format of {@code /proc/pressure/memory}. */
    public ProcMeminfo(Path meminfo, Path pressure) {
        this(meminfo, pressure, PROC_SELF_CGROUP, CGROUP_ROOT);
    }

    /**
     * Also reads the cgroup v2 limit from other files: {@code procSelfCgroup} in the format of
     * {@code /proc/self/cgroup}, naming a cgroup under {@code cgroupRoot} (where {@code /sys/fs/cgroup} is mounted).
     */
    public ProcMeminfo(Path meminfo, Path pressure, Path procSelfCgroup, Path cgroupRoot) {
        this.meminfo = meminfo;
        this.pressure = pressure;
        this.cgroup = new CgroupLimit(procSelfCgroup, cgroupRoot);
    }

    /** {@code memory.max − memory.current} of the tightest cgroup (v2) over this process; empty without a limit. */
    @Override
    public OptionalLong cgroupRoomBytes() {
        return cgroup.room();
    }

    /** The {@code some avg10} figure of PSI; empty where the kernel has no PSI (or it is switched off). */
    @Override
    public OptionalDouble stallPercent() {
        try {
            for (String line : Files.readAllLines(pressure)) {
                if (line.startsWith("some ")) {
                    for (String field : line.split("\\s+")) {
                        if (field.startsWith("avg10=")) {
                            return OptionalDouble.of(Double.parseDouble(field.substring("avg10=".length())));
                        }
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            // A kernel without PSI has no such file, and reading it can fail with EOPNOTSUPP: no signal, not an error.
        }
        return OptionalDouble.empty();
    }

    /** @throws IllegalStateException naming the file when it has no {@code MemTotal} line */
    @Override
    public long totalBytes() {
        return bytesOf("MemTotal");
    }

    /** @throws IllegalStateException naming the file when it has no {@code MemAvailable} line (kernels before 3.14) */
    @Override
    public long availableBytes() {
        return bytesOf("MemAvailable");
    }

    private long bytesOf(String key) {
        String prefix = key + ":";
        for (String line : lines()) {
            if (line.startsWith(prefix)) {
                return parse(key, line.substring(prefix.length()).trim());
            }
        }
        throw new IllegalStateException(meminfo + " has no " + key + " line");
    }

    private long parse(String key, String value) {
        String[] parts = value.split("\\s+");
        try {
            long number = Long.parseLong(parts[0]);
            if (number >= 0 && parts.length == 1) {
                return number;
            }
            if (number >= 0 && parts.length == 2 && parts[1].equals("kB")) {
                return Math.multiplyExact(number, 1024L);
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // fall through to the message below, which quotes the value
        }
        throw new IllegalStateException(meminfo + " has an unreadable " + key + " value: '" + value + "'");
    }

    private List<String> lines() {
        try {
            return Files.readAllLines(meminfo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meminfo + ": " + e.getMessage(), e);
        }
    }
}
