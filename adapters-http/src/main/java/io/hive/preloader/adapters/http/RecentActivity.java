package io.hive.preloader.adapters.http;

import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.service.Loaded;

import java.time.Duration;
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
        Event(String kind, String model, long bytes, Duration took, String origin, Integer device) {
            this(Instant.now().toString(), kind, model, bytes, Units.seconds(took), Units.gigabytesPerSecond(bytes, took), origin, device);
        }
    }

    void load(Loaded loaded) {
        add(new Event("load", loaded.id().value(), loaded.bytes(), loaded.took(), Units.name(loaded.origin()), null));
    }

    void transfer(DeviceCopy copy, String origin) {
        add(new Event("transfer", copy.model().value(), copy.bytes(), copy.took(), origin, copy.device()));
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
