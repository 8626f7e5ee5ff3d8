package io.hive.preloader.adapters.http;

import io.hive.preloader.core.port.Cancellation;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The transfers running in request threads, each with the {@link Cancellation} that stops it: what a shutdown waits
 * for, and cancels when the wait runs out (the transfer then frees what it allocated on the device and fails).
 */
final class InFlight {
    private final Set<Cancellation> running = new HashSet<>();
    private boolean cancelling;

    /** A transfer about to start; close the ticket when it ends, however it ends. */
    final class Ticket implements AutoCloseable {
        final Cancellation cancellation = new Cancellation();

        @Override
        public void close() {
            synchronized (InFlight.this) {
                running.remove(cancellation);
                InFlight.this.notifyAll();
            }
        }
    }

    synchronized Ticket start() {
        Ticket ticket = new Ticket();
        if (cancelling) {
            ticket.cancellation.cancel("because the server is shutting down");
        }
        running.add(ticket.cancellation);
        return ticket;
    }

    synchronized int count() {
        return running.size();
    }

    /** Whether a shutdown has cancelled what was running (for tests that wait for that moment). */
    synchronized boolean cancelling() {
        return cancelling;
    }

    /** Waits until nothing runs or {@code timeout} passes; @return whether nothing runs */
    synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!running.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Cancels every running transfer, and any that starts from now on. */
    synchronized void cancelAll(String why) {
        cancelling = true;
        running.forEach(c -> c.cancel(why));
    }
}
