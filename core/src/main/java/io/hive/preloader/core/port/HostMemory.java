package io.hive.preloader.core.port;

/** The host's RAM as the kernel reports it; used to size a budget given as a share of RAM. */
public interface HostMemory {

    long totalBytes();

    /** What the kernel could hand out now without swapping ({@code MemAvailable} on Linux). */
    long availableBytes();

    /**
     * The share of the last ten seconds in which some task stalled waiting for memory, 0–100 (Linux PSI,
     * {@code /proc/pressure/memory}); empty where the kernel does not report it.
     */
    default java.util.OptionalDouble stallPercent() {
        return java.util.OptionalDouble.empty();
    }

    /**
     * What the memory cgroup of this process can still take before its limit (cgroup v2: the least, over its cgroup
     * and the ones above it, of {@code memory.max − memory.current}); empty where no limit is set. Inside a container
     * this is the figure that matters: the host's {@code MemAvailable} knows nothing of the container's limit.
     */
    default java.util.OptionalLong cgroupRoomBytes() {
        return java.util.OptionalLong.empty();
    }
}
