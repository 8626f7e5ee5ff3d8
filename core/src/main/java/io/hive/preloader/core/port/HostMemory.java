package io.hive.preloader.core.port;

/** The host's RAM as the kernel reports it; used to size a budget given as a share of RAM. */
public interface HostMemory {

    long totalBytes();

    /** What the kernel could hand out now without swapping ({@code MemAvailable} on Linux). */
    long availableBytes();
}
