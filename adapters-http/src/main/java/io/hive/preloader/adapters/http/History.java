package io.hive.preloader.adapters.http;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the API started for clients to poll (preload jobs, worker spawns), by number: the last {@value #KEEP} are
 * kept, finished ones dropped first, so that whatever still runs can always be found.
 */
class History<T extends History.Entry> {
    static final int KEEP = 256;

    /** One thing kept: its number, and whether it still runs. */
    interface Entry {
        long id();

        boolean running();
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, T> kept = new LinkedHashMap<>();

    long nextId() {
        return ids.incrementAndGet();
    }

    synchronized void add(T entry) {
        kept.put(entry.id(), entry);
        Iterator<T> oldest = kept.values().iterator();
        while (kept.size() > KEEP && oldest.hasNext()) {
            if (!oldest.next().running()) {
                oldest.remove();
            }
        }
    }

    synchronized Optional<T> get(long id) {
        return Optional.ofNullable(kept.get(id));
    }

    /** Newest first. */
    synchronized List<T> recent() {
        return new ArrayList<>(kept.values()).reversed();
    }

    synchronized long running() {
        return kept.values().stream().filter(Entry::running).count();
    }

    synchronized void forEach(Consumer<T> action) {
        kept.values().forEach(action);
    }
}
