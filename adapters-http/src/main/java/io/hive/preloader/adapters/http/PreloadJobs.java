package io.hive.preloader.adapters.http;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.service.Loaded;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.UnknownModelException;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The preloads the API started, each a job a client polls: running with its progress, then done (how long, from
 * where) or failed (why). The last {@value History#KEEP} jobs are kept; finished ones go first.
 */
final class PreloadJobs extends History<PreloadJobs.Job> {
    static final String PATH = "/v1/jobs/";

    enum Kind { PRELOAD, PIN, AUTO }

    enum State { RUNNING, DONE, FAILED, CANCELLED }

    private final ModelPreloader preloader;
    private final Consumer<Loaded> finished;

    /** @param finished told of each job's load that ends in {@link State#DONE}, on the thread that finished it */
    PreloadJobs(ModelPreloader preloader, Consumer<Loaded> finished) {
        this.preloader = preloader;
        this.finished = finished;
    }

    /** One preload as a client sees it: progress written by the loading thread, its outcome set once; read by any. */
    static final class Job implements LoadProgress, History.Entry {
        private final long id;
        private final ModelId model;
        private final Kind kind;
        private final Instant started = Instant.now();
        private final AtomicReference<Outcome> outcome = new AtomicReference<>();
        private volatile long bytesDone;
        private volatile long bytesTotal;

        /** How a job ended: the first outcome wins (a load finishing after the server cancelled it is ignored). */
        private record Outcome(State state, Loaded loaded, String error, Instant at) {
        }

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

        @Override
        public long id() {
            return id;
        }

        @Override
        public boolean running() {
            return outcome.get() == null;
        }

        Optional<Loaded> loaded() {
            return Optional.ofNullable(outcome.get()).map(Outcome::loaded);
        }

        private boolean end(State state, Loaded loaded, String error) {
            return outcome.compareAndSet(null, new Outcome(state, loaded, error, Instant.now()));
        }

        View view() {
            Outcome o = outcome.get();
            Loaded l = o == null ? null : o.loaded();
            long total = l == null ? bytesTotal : l.bytes();
            long done = l == null ? bytesDone : l.bytes();
            return new View(id, model.value(), Units.name(kind), Units.name(o == null ? State.RUNNING : o.state()), done, total,
                    total == 0 ? null : done / (double) total, l == null ? null : Units.name(l.origin()),
                    l == null ? null : Units.seconds(l.took()), l == null ? null : Units.gigabytesPerSecond(l.bytes(), l.took()),
                    o == null ? null : o.error(), started.toString(), o == null ? null : o.at().toString(), PATH + id);
        }
    }

    /** A job as JSON. */
    record View(long id, String model, String kind, String state, long bytesDone, long bytesTotal, Double progress,
                String origin, Double seconds, Double gigabytesPerSecond, String error, String startedAt, String finishedAt,
                String status) {
    }

    /**
     * Starts a job: a pin ({@link Kind#PIN}) or a preload. A refusal known at once (an unknown model, a file that is not
     * a valid model, one larger than the budget) is thrown here and no job is kept for it, so that the client gets the
     * right status (404, 422, 409); a load that fails later (a digest that does not match) is a failed job.
     */
    Job start(ModelId model, Kind kind) {
        Job job = new Job(nextId(), model, kind);
        CompletableFuture<Loaded> future;
        try {
            future = kind == Kind.PIN ? preloader.pin(model) : preloader.preload(model, job);
        } catch (RuntimeException refusedAtOnce) {
            future = CompletableFuture.failedFuture(refusedAtOnce);
        }
        if (future.isCompletedExceptionally() && Errors.unwrap(future.exceptionNow()) instanceof RuntimeException r
                && (r instanceof UnknownModelException || r instanceof InvalidModelException || r instanceof BudgetExceededException
                || r instanceof IllegalArgumentException)) {
            throw r;
        }
        add(job);
        future.whenComplete((loaded, failure) -> {
            if (failure == null) {
                if (job.end(State.DONE, loaded, null)) {
                    finished.accept(loaded);
                }
            } else {
                job.end(State.FAILED, null, Errors.oneLine(Errors.answer(failure).message()));
            }
        });
        return job;
    }

    /** Marks running jobs cancelled: the server is going away; their loads end with the preloader. */
    void cancelRunning(String why) {
        forEach(j -> j.end(State.CANCELLED, null, why));
    }
}
