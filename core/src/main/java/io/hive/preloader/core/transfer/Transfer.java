package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.DeviceCopy;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A finished transfer: the device copy (closing the transfer frees it), the plan that made it, the CRC32C that
 * was checked when a checksum was asked for, and the wall time from the call to the last byte on the device
 * (allocation, pinning and checking included; {@link DeviceCopy#took()} counts the copying alone).
 */
public record Transfer(DeviceCopy copy, TransferPlan plan, OptionalLong crc32c, Duration took) implements AutoCloseable {
    public Transfer {
        Objects.requireNonNull(copy, "copy");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(crc32c, "crc32c");
        Objects.requireNonNull(took, "took");
    }

    public long bytes() {
        return copy.bytes();
    }

    @Override
    public void close() {
        copy.close();
    }
}
