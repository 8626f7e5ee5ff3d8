package io.hive.preloader.adapters.http;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Takes the history's samples on a thread of its own, every {@link #EVERY}: never on a request, never on the cache's
 * hot path (a sample is one {@code stats()} call, as a scrape makes). Started with the server, closed with it.
 */
final class StatsSampler implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(2);
    /** Ten minutes of samples. */
    static final int KEEP = 300;
    private static final System.Logger LOG = System.getLogger(StatsSampler.class.getName());
    private static final AtomicInteger SAMPLERS = new AtomicInteger();

    private final Function<Instant, StatsHistory.Sample> read;
    private final StatsHistory history;
    private final String threadName = "preloader-history-" + SAMPLERS.incrementAndGet();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name(threadName).daemon().factory());
    // Wall time once, then the monotonic clock: the samples stay in order and evenly spaced when the wall clock is set.
    private final Instant startedAt = Instant.now();
    private final long startedNanos = System.nanoTime();
    private boolean failing; // the sampling thread's alone

    /** @param read the counters and levels at the instant given */
    StatsSampler(Function<Instant, StatsHistory.Sample> read, StatsHistory history) {
        this.read = read;
        this.history = history;
    }

    void start() {
        thread.scheduleAtFixedRate(this::sample, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sample() {
        try {
            history.record(read.apply(startedAt.plusNanos(System.nanoTime() - startedNanos)));
            failing = false;
        } catch (RuntimeException e) {
            // A task that throws is never run again: say it once, keep sampling, and the history shows the gap.
            if (!failing) {
                LOG.log(System.Logger.Level.WARNING, "taking a sample of the preloader's statistics failed: " + e.getMessage(), e);
            }
            failing = true;
        }
    }

    /** The sampling thread's name, for the test that sees it end. */
    String threadName() {
        return threadName;
    }

    /** Stops sampling; waits briefly for a sample being taken. Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the history's sampling thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
