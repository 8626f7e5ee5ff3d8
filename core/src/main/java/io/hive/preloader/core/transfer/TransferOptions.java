package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.LoadProgress;

import java.util.Objects;
import java.util.Optional;

/**
 * How one transfer runs.
 *
 * @param plan          the plan to use; empty: the preloader's configured plan
 * @param checksum      read the device copy back and compare its CRC32C with the source's, chunk by chunk
 * @param progress      told after each chunk reaches the device (bytes done, bytes in all)
 * @param cancellation  cancel it from another thread; the transfer frees what it allocated and fails
 */
public record TransferOptions(Optional<PlanMode> plan, boolean checksum, LoadProgress progress, Cancellation cancellation) {
    public TransferOptions {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(cancellation, "cancellation");
    }

    /** The configured plan, no checksum, no progress, a cancellation nobody holds. */
    public static TransferOptions defaults() {
        return new TransferOptions(Optional.empty(), false, LoadProgress.NONE, new Cancellation());
    }

    public TransferOptions withPlan(PlanMode mode) {
        return new TransferOptions(Optional.of(mode), checksum, progress, cancellation);
    }

    public TransferOptions withChecksum(boolean verify) {
        return new TransferOptions(plan, verify, progress, cancellation);
    }

    public TransferOptions withProgress(LoadProgress listener) {
        return new TransferOptions(plan, checksum, listener, cancellation);
    }

    public TransferOptions withCancellation(Cancellation token) {
        return new TransferOptions(plan, checksum, progress, token);
    }
}
