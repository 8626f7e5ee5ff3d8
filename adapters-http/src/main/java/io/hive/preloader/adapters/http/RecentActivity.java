package io.hive.preloader.adapters.http;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last loads and transfers this server saw, newest first, for the page and {@code /v1/activity}. */
final class RecentActivity {
    static final int CAPACITY = 100;

    private final Deque<Event> events = new ArrayDeque<>(CAPACITY);

    /**
     * One load or transfer.
     *
     * @param kind   {@code load} or {@code transfer}
     * @param origin {@code disk} (loaded from the file first) or {@code ram} (already resident)
     * @param device for a transfer: the device number
     */
    record Event(String at, String kind, String model, long bytes, double seconds, Double gigabytesPerSecond, String origin,
                 Integer device) {
    }

    void load(String model, long bytes, java.time.Duration took, String origin) {
        add(new Event(Instant.now().toString(), "load", model, bytes, PreloadJobs.seconds(took),
                Rates.gigabytesPerSecond(bytes, took), origin, null));
    }

    void transfer(String model, long bytes, java.time.Duration took, String origin, int device) {
        add(new Event(Instant.now().toString(), "transfer", model, bytes, PreloadJobs.seconds(took),
                Rates.gigabytesPerSecond(bytes, took), origin, device));
    }

    private synchronized void add(Event event) {
        if (events.size() == CAPACITY) {
            events.removeLast();
        }
        events.addFirst(event);
    }

    synchronized List<Event> recent(int limit) {
        return new ArrayList<>(events).subList(0, Math.min(limit, events.size()));
    }
}
