package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.service.Loaded;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last loads and transfers this server saw, newest first, for the page and {@code /v1/activity}; and the bytes
 * and time of all of them since start, from which the history takes its GB/s.
 */
final class RecentActivity {
    static final int CAPACITY = 100;

    // Guarded by this: a load or a transfer is a rare event (never a cache hit), and the lock pairs each total's bytes with its time.
    private final Deque<Event> events = new ArrayDeque<>(CAPACITY);
    private Moved loadedFromDisk = Moved.NOTHING;
    private Moved transferred = Moved.NOTHING;

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

    synchronized void load(Loaded loaded) {
        add(new Event("load", loaded.id().value(), loaded.bytes(), loaded.took(), Units.name(loaded.origin()), null));
        // A model found resident took no reading: counting it would make the disk look as fast as RAM.
        if (loaded.origin() == Origin.DISK) {
            loadedFromDisk = loadedFromDisk.plus(loaded.bytes(), loaded.took());
        }
    }

    synchronized void transfer(DeviceCopy copy, String origin) {
        add(new Event("transfer", copy.model().value(), copy.bytes(), copy.took(), origin, copy.device()));
        transferred = transferred.plus(copy.bytes(), copy.took());
    }

    /** Loads from disk this server saw, since start. */
    synchronized Moved loadedFromDisk() {
        return loadedFromDisk;
    }

    /** Copies to devices this server made, since start: the copying alone, as their events show it. */
    synchronized Moved transferred() {
        return transferred;
    }

    private void add(Event event) {
        if (events.size() == CAPACITY) {
            events.removeLast();
        }
        events.addFirst(event);
    }

    synchronized List<Event> recent(int limit) {
        return new ArrayList<>(events).subList(0, Math.min(limit, events.size()));
    }
}
