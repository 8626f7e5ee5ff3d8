package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the server holds for its clients between calls: device copies ({@code t1, t2, …}) and leases for workers
 * ({@code l1, …}). Each is closed exactly once: when a client releases it, or when the server closes. Something
 * handed in after closing (a transfer that outran the shutdown timeout) is closed at once.
 */
final class Holdings<T extends AutoCloseable> {
    private final String prefix;
    private final Pattern idPattern;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Held<T>> held = new LinkedHashMap<>();
    private boolean closed;

    record Held<T>(String id, T value, Instant since) {
    }

    /** What a release answers: the id given back and the model it was on. */
    record Released(String released, String model) {
    }

    Holdings(String prefix) {
        this.prefix = prefix;
        this.idPattern = Pattern.compile(Pattern.quote(prefix) + "[1-9][0-9]{0,17}");
    }

    /** Keeps {@code value} under a new id; empty (and the value closed) when the server is closing. */
    Optional<Held<T>> hold(T value) {
        synchronized (this) {
            if (!closed) {
                Held<T> h = new Held<>(prefix + ids.incrementAndGet(), value, Instant.now());
                held.put(h.id(), h);
                return Optional.of(h);
            }
        }
        closeQuietly(value);
        return Optional.empty();
    }

    /** @throws ApiException 400 for an id of the wrong form, 404 for one not held */
    Held<T> get(String id) {
        return find(id, held::get);
    }

    /** Closes and forgets one; @throws ApiException as {@link #get} does. */
    Released release(String id, Function<T, ModelId> model) {
        Held<T> h = find(id, held::remove);
        closeQuietly(h.value());
        return new Released(h.id(), model.apply(h.value()).value());
    }

    private Held<T> find(String id, Function<String, Held<T>> lookup) {
        if (!idPattern.matcher(id).matches()) {
            throw new ApiException(400, Errors.quoted(id) + " is not an id of this kind (" + prefix + " followed by a number)");
        }
        Held<T> h;
        synchronized (this) {
            h = lookup.apply(id);
        }
        if (h == null) {
            throw new ApiException(404, "'" + id + "' is not held (released already, or never handed out)");
        }
        return h;
    }

    synchronized List<Held<T>> list() {
        return new ArrayList<>(held.values());
    }

    synchronized int size() {
        return held.size();
    }

    /** Closes everything held, and from now on whatever is handed in. */
    void closeAll() {
        List<Held<T>> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(held.values());
            held.clear();
        }
        all.forEach(h -> closeQuietly(h.value()));
    }

    private static void closeQuietly(AutoCloseable value) {
        try {
            value.close();
        } catch (Exception e) {
            System.getLogger(Holdings.class.getName()).log(System.Logger.Level.WARNING, "closing " + value + " failed: " + e.getMessage(), e);
        }
    }
}
