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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The workers the API started: each start is a spawn a client polls (starting, then ready or failed), run on its
 * own virtual thread so that no server thread waits for a worker; a ready spawn holds its worker until it exits, a
 * client stops it, or the server closes (which stops every one, and interrupts starts still waiting, which kills
 * their workers). The last {@value History#KEEP} spawns are kept, and every one whose worker runs; finished ones go
 * first. This object's lock (the history's) orders a spawn becoming ready against the close; no worker is stopped
 * or waited for under it.
 */
final class Spawns extends History<Spawns.Spawn> {
    static final String PATH = "/v1/spawns/";
    /** How long a stopped worker gets between SIGTERM and SIGKILL; waits for its exit allow a little more. */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long WAIT_MS = STOP_GRACE.toMillis() + 2000;
    private static final System.Logger LOG = System.getLogger(Spawns.class.getName());

    enum State { STARTING, READY, FAILED, CANCELLED }

    private final ExecutorService starts = Executors.newVirtualThreadPerTaskExecutor();
    private boolean closed;

    /** A running worker as JSON; its last lines of output only to the admin token. */
    record WorkerView(long pid, String model, String worker, String route, boolean alive, String since, List<String> lastLines,
                      String spawn) {
        WorkerView shownTo(Caller caller) {
            return caller.seesSecrets() ? this : new WorkerView(pid, model, worker, route, alive, since, null, spawn);
        }
    }

    /**
     * A spawn as JSON: {@code route}, {@code pid} and the timings once ready; {@code error}, {@code exitCode} and
     * {@code lastLines} once failed. The command (its secrets hidden) and the output go to the admin token only.
     */
    record View(long id, String model, String worker, String state, String route, Long pid, Double loadSeconds,
                Double toReadySeconds, List<String> command, String error, Integer exitCode, List<String> lastLines,
                String startedAt, String finishedAt, String status) {
        /** This spawn ended now: ready with what was spawned, or failed or cancelled without it. */
        View end(State outcome, Spawned s, String failure, Integer exit, List<String> lines, Double after) {
            return new View(id, model, worker, Units.name(outcome), s == null ? null : Units.name(s.route()), s == null ? null : s.worker().pid(),
                    s == null ? null : Units.seconds(s.load()), s == null ? after : Units.seconds(s.toReady()),
                    s == null ? null : CommandLines.redact(s.command()), failure, exit, lines, startedAt, Instant.now().toString(), status);
        }

        View shownTo(Caller caller) {
            return caller.seesSecrets() ? this : new View(id, model, worker, state, route, pid, loadSeconds, toReadySeconds, null, error,
                    exitCode, null, startedAt, finishedAt, status);
        }
    }

    /**
     * One start of a worker: its view while starting, replaced once when it ends; once ready, the worker it holds until
     * that is stopped or exits. Written by its thread, read by any.
     */
    static final class Spawn implements History.Entry {
        private final AtomicReference<View> view;
        private final AtomicReference<RunningWorker> worker = new AtomicReference<>();

        Spawn(long id, ModelId model, String worker) {
            view = new AtomicReference<>(new View(id, model.value(), worker, Units.name(State.STARTING), null, null, null, null, null,
                    null, null, null, Instant.now().toString(), null, PATH + id));
        }

        @Override
        public long id() {
            return view.get().id();
        }

        @Override
        public boolean running() {
            return view.get().finishedAt() == null || held().isPresent();
        }

        View view() {
            return view.get();
        }

        /** The worker this spawn started, while it runs and no one has stopped it. */
        Optional<RunningWorker> held() {
            return Optional.ofNullable(worker.get()).filter(RunningWorker::isAlive);
        }

        WorkerView workerView(RunningWorker w) {
            View v = view.get();
            return new WorkerView(w.pid(), v.model(), v.worker(), v.route(), w.isAlive(), v.finishedAt(), w.lastLines(), v.status());
        }

        private void end(State outcome, Spawned result, String failure, Integer exit, List<String> lines, Double after) {
            view.getAndUpdate(v -> v.finishedAt() == null ? v.end(outcome, result, failure, exit, lines, after) : v);
        }

        private void cancel(String why) {
            end(State.CANCELLED, null, why, null, null, null);
        }

        /** Gives up the worker (to stop it); empty when it was given up already. */
        private Optional<RunningWorker> release() {
            return Optional.ofNullable(worker.getAndSet(null));
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
            synchronized (this) {
                if (!closed) {
                    spawn.worker.set(spawned.worker());
                    spawn.end(State.READY, spawned, null, null, null, null);
                    return;
                }
            }
            spawned.worker().stop(STOP_GRACE);
            spawn.cancel("the server shut down as the worker became ready; it was stopped");
        } catch (WorkerStartException e) {
            spawn.end(State.FAILED, null, Errors.oneLine(e.getMessage()), e.exitCode().isPresent() ? e.exitCode().getAsInt() : null,
                    e.lastLines(), Units.seconds(e.after()));
        } catch (RuntimeException e) {
            spawn.end(State.FAILED, null, Errors.oneLine(Errors.answer(e).message()), null, null, null);
        }
    }

    /** The workers running, oldest first. */
    List<WorkerView> workers() {
        return recent().reversed().stream().flatMap(s -> s.held().map(s::workerView).stream()).toList();
    }

    /** The spawn whose worker has this pid, while it runs. */
    Optional<Spawn> worker(long pid) {
        return recent().stream().filter(s -> s.held().map(w -> w.pid() == pid).orElse(false)).findFirst();
    }

    /** Stops a spawn's worker and waits (a little longer than the grace) for its exit status; empty when it is still exiting. */
    Optional<Integer> stop(Spawn spawn) throws InterruptedException {
        Optional<RunningWorker> worker = spawn.release();
        try {
            return worker.isEmpty() ? Optional.empty() : Optional.of(worker.get().stop(STOP_GRACE).get(WAIT_MS, TimeUnit.MILLISECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        }
    }

    /** Stops every worker and cancels starts still waiting (their workers are killed); from now on refuses new ones. */
    void closeAll() {
        List<RunningWorker> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            forEach(s -> {
                s.cancel("the server shut down before the worker was ready");
                s.release().ifPresent(all::add);
            });
        }
        starts.shutdownNow();
        List<CompletableFuture<Integer>> exits = all.stream().map(w -> w.stop(STOP_GRACE)).toList();
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
