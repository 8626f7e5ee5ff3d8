package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.UnknownModelException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The preloads the API started, each a job a client polls: running with its progress, then done (how long, from
 * where) or failed (why). The last {@value #KEEP} jobs are kept; finished ones go first.
 */
final class PreloadJobs {
    static final int KEEP = 256;
    static final String PATH = "/v1/jobs/";

    enum Kind { PRELOAD, PIN, AUTO }

    enum State { RUNNING, DONE, FAILED, CANCELLED }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Job> jobs = new LinkedHashMap<>();
    private final Consumer<Job> finished;

    /** @param finished told of each job that ends in {@link State#DONE}, on the thread that finished the load */
    PreloadJobs(Consumer<Job> finished) {
        this.finished = finished;
    }

    /** One preload as a client sees it; progress fields are written by the loading thread, read by any. */
    static final class Job implements LoadProgress {
        final long id;
        final ModelId model;
        final Kind kind;
        final Instant started = Instant.now();
        private volatile long bytesDone;
        private volatile long bytesTotal;
        private volatile State state = State.RUNNING;
        private volatile Loaded loaded;
        private volatile String error;
        private volatile Instant ended;

        Job(long id, ModelId model, Kind kind) {
            this.id = id;
            this.model = model;
            this.kind = kind;
        }

        @Override
        public void advanced(long done, long total) {
            bytesTotal = total;
            bytesDone = done;
        }

        State state() {
            return state;
        }

        Optional<Loaded> loaded() {
            return Optional.ofNullable(loaded);
        }

        /** Ends the job once: later outcomes (a load finishing after the server cancelled it) are ignored. */
        private synchronized boolean end(State outcome, Loaded result, String failure) {
            if (state != State.RUNNING) {
                return false;
            }
            loaded = result;
            error = failure;
            ended = Instant.now();
            if (result != null) {
                bytesTotal = result.bytes();
                bytesDone = result.bytes();
            }
            state = outcome;
            return true;
        }

        View view() {
            Loaded l = loaded;
            Double seconds = l == null ? null : seconds(l.took());
            Double rate = l == null ? null : Rates.gigabytesPerSecond(l.bytes(), l.took());
            long total = bytesTotal;
            return new View(id, model.value(), name(kind), name(state), bytesDone, total,
                    total == 0 ? null : bytesDone / (double) total, l == null ? null : name(l.origin()), seconds, rate, error,
                    started.toString(), ended == null ? null : ended.toString(), PATH + id);
        }
    }

    /** A job as JSON. */
    record View(long id, String model, String kind, String state, long bytesDone, long bytesTotal, Double progress,
                String origin, Double seconds, Double gigabytesPerSecond, String error, String startedAt, String finishedAt,
                String status) {
    }

    /**
     * Starts a job. A refusal known at once (an unknown model, one larger than the budget) is thrown here and no job
     * is kept for it, so that the client gets the right status; a load that fails (even at once) is a failed job.
     */
    Job start(ModelId model, Kind kind, Function<Job, CompletableFuture<Loaded>> launch) {
        Job job = new Job(ids.incrementAndGet(), model, kind);
        CompletableFuture<Loaded> future = launch.apply(job);
        if (future.isCompletedExceptionally() && refusedUpFront(Errors.unwrap(future.exceptionNow())) instanceof RuntimeException r) {
            throw r;
        }
        keep(job);
        future.whenComplete((loaded, failure) -> {
            if (failure == null) {
                if (job.end(State.DONE, loaded, null)) {
                    finished.accept(job);
                }
            } else {
                job.end(State.FAILED, null, Errors.oneLine(Errors.answer(failure).message()));
            }
        });
        return job;
    }

    /** A failure decided before any byte was read: the request itself was wrong, not the load. */
    private static Throwable refusedUpFront(Throwable failure) {
        return failure instanceof UnknownModelException || failure instanceof BudgetExceededException
                || failure instanceof IllegalArgumentException ? failure : null;
    }

    Optional<Job> get(long id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    /** Newest first. */
    List<Job> recent() {
        synchronized (jobs) {
            List<Job> all = new ArrayList<>(jobs.values());
            return all.reversed();
        }
    }

    long running() {
        synchronized (jobs) {
            return jobs.values().stream().filter(j -> j.state() == State.RUNNING).count();
        }
    }

    /** Marks running jobs cancelled: the server is going away; their loads end with the preloader. */
    void cancelRunning(String why) {
        synchronized (jobs) {
            jobs.values().forEach(j -> j.end(State.CANCELLED, null, why));
        }
    }

    private void keep(Job job) {
        synchronized (jobs) {
            jobs.put(job.id, job);
            Iterator<Job> oldest = jobs.values().iterator();
            while (jobs.size() > KEEP && oldest.hasNext()) {
                if (oldest.next().state() != State.RUNNING) {
                    oldest.remove();
                }
            }
        }
    }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
