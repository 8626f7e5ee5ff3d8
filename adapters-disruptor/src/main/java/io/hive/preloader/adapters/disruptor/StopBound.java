package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.core.port.Cancellation;

import java.time.Duration;

/**
 * How long the thread running a transfer waits for its stages once the transfer is stopping, and what it does with an
 * interrupt meanwhile. An interrupt is cleared where it is seen (so that the next wait parks instead of returning, or
 * throwing, at once: a loop that re-set the flag and waited again would spin), recorded, and turned into a
 * cancellation; the caller restores it once, at the very end. The first time the transfer is seen stopping (failed,
 * cancelled, interrupted, or done and halting) one deadline is set, and every wait left (for a free slot, for the end
 * to pass the stages, for the stage threads to exit) ends by it, so that a stage stuck in a read or a copy cannot
 * hold the caller past the bound. Used by that one thread only: no field needs a fence.
 */
final class StopBound {
    private final long boundNanos;
    private final Cancellation cancellation;
    private boolean interrupted;
    private boolean armed;
    private long deadline;

    StopBound(Duration bound, Cancellation cancellation) {
        this.boundNanos = bound.toNanos();
        this.cancellation = cancellation;
    }

    /** Clears an interrupt of this thread, if there is one, and cancels the transfer for it. */
    void takeInterrupt() {
        if (Thread.interrupted()) {
            interrupted();
        }
    }

    /** Records an interrupt already cleared (an {@link InterruptedException} was caught) and cancels the transfer for it. */
    void interrupted() {
        interrupted = true;
        cancellation.cancel("interrupted");
    }

    /** Whether this thread was interrupted while the transfer ran: the caller sets the flag again when it is done. */
    boolean wasInterrupted() {
        return interrupted;
    }

    /** Sets the deadline the first time the transfer is stopping; true once it has passed. */
    boolean expired(boolean stopping) {
        if (!stopping) {
            return false;
        }
        long now = System.nanoTime();
        if (!armed) {
            armed = true;
            deadline = now + boundNanos;
        }
        return now - deadline >= 0;
    }

    /** Nanoseconds left until the deadline (set now if it was not), at least 1. */
    long remainingNanos() {
        expired(true);
        return Math.max(1, deadline - System.nanoTime());
    }

    Duration bound() {
        return Duration.ofNanos(boundNanos);
    }
}
