package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.service.SpawnFlow;
import io.hive.preloader.core.service.SpawnRequest;
import io.hive.preloader.core.service.Spawned;
import io.hive.preloader.core.service.WorkerStartException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The workers the API started: each start is a spawn a client polls (starting, then ready or failed), run on its
 * own virtual thread so that no server thread waits for a worker; a ready worker is held, by its pid, until it exits,
 * a client stops it, or the server closes (which stops every one, and interrupts starts still waiting, which kills
 * their workers). The last {@value History#KEEP} spawns are kept; finished ones go first. One lock, this object's
 * (the history's), guards the spawns, the running workers and {@code closed}; no worker is stopped or waited for under it.
 */
final class Spawns extends History<Spawns.Spawn> {
    static final String PATH = "/v1/spawns/";
    /** How long a stopped worker gets between SIGTERM and SIGKILL; waits for its exit allow a little more. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long WAIT_MS = STOP_GRACE.toMillis() + 2000;
    private static final System.Logger LOG = System.getLogger(Spawns.class.getName());

    enum State { STARTING, READY, FAILED, CANCELLED }

    private final ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<Long, Running> running = new LinkedHashMap<>();
    private boolean closed;

    /** A worker started through the API and ready, until it exits. */
    record Running(long spawn, String worker, Spawned spawned, Instant since) {
        WorkerView view() {
            RunningWorker w = spawned.worker();
            return new WorkerView(w.pid(), spawned.model().value(), worker, Units.name(spawned.route()), w.isAlive(),
                    since.toString(), w.lastLines(), PATH + spawn);
        }
    }

    /** A running worker as JSON. */
    record WorkerView(long pid, String model, String worker, String route, boolean alive, String since, List<String> lastLines,
                      String spawn) {
    }

    /** A spawn as JSON: {@code route}, {@code pid} and the timings once ready; {@code error}, {@code exitCode} and {@code lastLines} once failed. */
    record View(long id, String model, String worker, String state, String route, Long pid, Double loadSeconds,
                Double toReadySeconds, List<String> command, String error, Integer exitCode, List<String> lastLines,
                String startedAt, String finishedAt, String status) {
    }

    /** One start of a worker; written by its thread, read by any. */
    static final class Spawn implements History.Entry {
        private final long id;
        private final ModelId model;
        private final String worker;
        private final Instant started = Instant.now();
        private volatile State state = State.STARTING;
        private volatile Spawned spawned;
        private volatile String error;
        private volatile Integer exitCode;
        private volatile List<String> lastLines;
        private volatile Double toReadySeconds;
        private volatile Instant ended;

        Spawn(long id, ModelId model, String worker) {
            this.id = id;
            this.model = model;
            this.worker = worker;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public boolean running() {
            return state == State.STARTING;
        }

        private synchronized void end(State outcome, Spawned result, String failure, Integer exit, List<String> lines, Double after) {
            if (state != State.STARTING) {
                return;
            }
            spawned = result;
            error = failure;
            exitCode = exit;
            lastLines = lines;
            toReadySeconds = result != null ? Units.seconds(result.toReady()) : after;
            ended = Instant.now();
            state = outcome;
        }

        private void cancel(String why) {
            end(State.CANCELLED, null, why, null, null, null);
        }

        View view() {
            Spawned s = spawned;
            return new View(id, model.value(), worker, Units.name(state), s == null ? null : Units.name(s.route()),
                    s == null ? null : s.worker().pid(), s == null ? null : Units.seconds(s.load()), toReadySeconds,
                    s == null ? null : s.command(), error, exitCode, lastLines, started.toString(),
                    ended == null ? null : ended.toString(), PATH + id);
        }
    }

    /** Starts the worker on its own thread; empty when the server is closing. */
    Optional<Spawn> start(SpawnFlow flow, ModelId model, String name, WorkerSpec spec) {
        Spawn spawn;
        synchronized (this) {
            if (closed) {
                return Optional.empty();
            }
            spawn = new Spawn(nextId(), model, name);
            add(spawn);
        }
        SpawnRequest request = new SpawnRequest(model, spec.command(), spec.probe(), spec.timeout(), line -> { });
        starts.execute(() -> run(flow, spawn, request));
        return Optional.of(spawn);
    }

    private void run(SpawnFlow flow, Spawn spawn, SpawnRequest request) {
        try {
            Spawned spawned = flow.spawn(request);
            if (!hold(spawn, spawned)) {
                spawned.worker().stop(STOP_GRACE);
                spawn.cancel("the server shut down as the worker became ready; it was stopped");
            }
        } catch (WorkerStartException e) {
            spawn.end(State.FAILED, null, Errors.oneLine(e.getMessage()), e.exitCode().isPresent() ? e.exitCode().getAsInt() : null,
                    e.lastLines(), Units.seconds(e.after()));
        } catch (RuntimeException e) {
            spawn.end(State.FAILED, null, Errors.oneLine(Errors.answer(e).message()), null, null, null);
        }
    }

    /** Holds a ready worker until it exits; false when the server closed meanwhile. */
    private boolean hold(Spawn spawn, Spawned spawned) {
        RunningWorker worker = spawned.worker();
        Running r = new Running(spawn.id, spawn.worker, spawned, Instant.now());
        synchronized (this) {
            if (closed) {
                return false;
            }
            if (worker.isAlive()) {
                running.put(worker.pid(), r);
            }
            spawn.end(State.READY, spawned, null, null, null, null);
        }
        worker.exit().whenComplete((status, failure) -> forget(worker.pid(), r));
        return true;
    }

    private synchronized void forget(long pid, Running r) {
        running.remove(pid, r);
    }

    /** The workers running, oldest first. */
    synchronized List<Running> workers() {
        return running.values().stream().filter(r -> r.spawned().worker().isAlive()).toList();
    }

    synchronized Optional<Running> worker(long pid) {
        return Optional.ofNullable(running.get(pid));
    }

    /** Stops one worker and waits (a little longer than the grace) for its exit status; empty when it is still exiting. */
    Optional<Integer> stop(Running r) throws InterruptedException {
        forget(r.spawned().worker().pid(), r);
        try {
            return Optional.of(r.spawned().worker().stop(STOP_GRACE).get(WAIT_MS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        }
    }

    /** Stops every worker and cancels starts still waiting (their workers are killed); from now on refuses new ones. */
    void closeAll() {
        List<Running> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(running.values());
            running.clear();
            forEach(s -> s.cancel("the server shut down before the worker was ready"));
        }
        starts.shutdownNow();
        List<CompletableFuture<Integer>> exits = all.stream().map(r -> r.spawned().worker().stop(STOP_GRACE)).toList();
        try {
            if (!starts.awaitTermination(WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "worker starts still running after the shutdown's grace");
            }
            CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | ExecutionException e) {
            LOG.log(System.Logger.Level.WARNING, "some workers had not exited after the shutdown's grace: " + e);
        }
    }
}
