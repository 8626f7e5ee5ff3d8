package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.port.WorkerStart;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/**
 * Starts an inference worker on a model: the fast path when the model is resident, the slow path (a load from disk
 * through the preloader) when it is not. The worker gets the path it can reach the resident bytes at in place of
 * {@value #MODEL} in its command line, and in the variable {@value #MODEL_VARIABLE}:
 * <ul>
 *   <li>a page-cache store ({@link Handoff.PageCacheFile}): the model file itself, its pages resident;</li>
 *   <li>a shared-memory store ({@link Handoff.SharedFile}): the shared file;</li>
 *   <li>a store of private memory ({@link Handoff.PrivateMemory}): the model file, which the worker reads itself
 *       (the private copy cannot be shared; a device copy through a CUDA IPC handle is not offered yet).</li>
 * </ul>
 * The model's lease is held for the worker's whole life, from the moment its process exists (before it is ready) to
 * the moment it and the processes it started are gone, however its start ends: while it runs the model stays
 * charged to the budget and cannot be evicted ({@link io.hive.preloader.core.cache.ModelInUseException} names its
 * pid), and a model evicted before its process existed is freed only once the worker is gone. A model that cannot fit the
 * budget (what is held is pinned or leased) is not refused: the worker reads its file from disk itself
 * ({@link Spawned.Route#UNCACHED}), holds no lease and is not counted in the budget. Safe for use by many threads.
 */
public final class SpawnFlow {
    /** Stands for the model's path in a worker's command line. */
    public static final String MODEL = "{model}";
    /** The environment variable that holds the model's path, for workers that take it from there. */
    public static final String MODEL_VARIABLE = "PRELOADER_MODEL";
    /** The environment variable that holds the model's id. */
    public static final String MODEL_ID_VARIABLE = "PRELOADER_MODEL_ID";

    private static final System.Logger LOG = System.getLogger(SpawnFlow.class.getName());

    private final ModelPreloader preloader;
    private final WorkerLauncher launcher;

    public SpawnFlow(ModelPreloader preloader, WorkerLauncher launcher) {
        this.preloader = Objects.requireNonNull(preloader, "preloader");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    /** {@link #spawn(SpawnRequest)} with the default timeout, the worker's output discarded (its last lines kept). */
    public Spawned spawn(ModelId model, List<String> command, ReadinessProbe probe) {
        return spawn(new SpawnRequest(model, command, probe));
    }

    /**
     * Gets the model (from RAM, else from disk), starts the worker and waits until its probe fires.
     *
     * @throws UnknownModelException     when no source has the model
     * @throws WorkerStartException      when the worker exits before it is ready, is not ready in time, or cannot start
     */
    public Spawned spawn(SpawnRequest request) {
        long start = System.nanoTime();
        Lease lease;
        try {
            lease = preloader.get(request.model());
        } catch (BudgetExceededException e) {
            ModelDescriptor model = describe(request.model());
            LOG.log(System.Logger.Level.WARNING, "{0} is not cached for its worker: {1}", request.model(), e.getMessage());
            return launch(request, Spawned.Route.UNCACHED, Optional.empty(), model.path(), since(start), (pid, gone) -> { });
        }
        WorkerHold hold = new WorkerHold(lease);
        try {
            Spawned.Route route = lease.origin() == Origin.RAM ? Spawned.Route.RESIDENT : Spawned.Route.LOADED;
            return launch(request, route, Optional.of(lease.handoff()), pathFor(lease), since(start), hold);
        } finally {
            hold.closeUnlessHanded();
        }
    }

    /**
     * Hands the lease to the worker's process the moment it exists: from then on it is held by that pid and closed once
     * the process and those it started are gone, whether the start ended ready, exited, timed out or interrupted.
     * Until then, and when no process was started, the flow closes it itself.
     */
    private static final class WorkerHold implements WorkerLauncher.Started {
        private final Lease lease;
        private volatile boolean handed;

        WorkerHold(Lease lease) {
            this.lease = lease;
        }

        @Override
        public void started(long pid, CompletableFuture<Integer> gone) {
            lease.heldBy(pid); // first: a worker gone already must not close the lease before it is marked as held
            handed = true;
            gone.whenComplete((status, failure) -> lease.close());
        }

        void closeUnlessHanded() {
            if (!handed) {
                lease.close();
            }
        }
    }

    /** Where a worker reaches the leased bytes. */
    static Path pathFor(Lease lease) {
        return switch (lease.handoff()) {
            case Handoff.PageCacheFile file -> file.file();
            case Handoff.SharedFile shared -> shared.file();
            case Handoff.PrivateMemory ignored -> lease.descriptor().path();
            // Handoffs added later (a device copy) default to the file until the flow learns them.
            default -> lease.descriptor().path();
        };
    }

    /** The command line with every {@value #MODEL} replaced by the path. */
    static List<String> substitute(List<String> command, Path model) {
        String path = model.toString();
        return command.stream().map(argument -> argument.replace(MODEL, path)).toList();
    }

    private ModelDescriptor describe(ModelId id) {
        return preloader.catalog().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow(() -> new UnknownModelException(id));
    }

    private Spawned launch(SpawnRequest request, Spawned.Route route, Optional<Handoff> handoff, Path path, Duration load,
                           WorkerLauncher.Started started) {
        ModelId model = request.model();
        List<String> command = substitute(request.command(), path);
        WorkerRequest worker = new WorkerRequest(command, Map.of(MODEL_VARIABLE, path.toString(), MODEL_ID_VARIABLE, model.value()),
                request.probe(), request.timeout(), request.output());
        long start = System.nanoTime();
        WorkerStart outcome;
        try {
            outcome = launcher.start(worker, started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerStartException(model, "interrupted while waiting for the worker for " + model + " to be ready; it was killed",
                    OptionalInt.empty(), List.of(), since(start), e);
        }
        Duration toReady = since(start);
        String waiting = " (after " + seconds(toReady) + ", waiting for " + request.probe().describe() + ")";
        return switch (outcome) {
            case WorkerStart.Ready ready -> {
                LOG.log(System.Logger.Level.DEBUG, "worker {0} for {1} ready in {2} ({3}, load {4})", ready.worker().pid(), model,
                        seconds(toReady), route, seconds(load));
                yield new Spawned(model, route, handoff, path, command, ready.worker(), load, toReady);
            }
            case WorkerStart.Exited exited -> throw new WorkerStartException(model, "the worker for " + model + " (pid " + exited.pid()
                    + ") exited with status " + exited.exitCode() + " before it was ready" + waiting,
                    OptionalInt.of(exited.exitCode()), exited.lastLines(), toReady, null);
            case WorkerStart.TimedOut timedOut -> throw new WorkerStartException(model, "the worker for " + model + " (pid "
                    + timedOut.pid() + ") was not ready within " + seconds(request.timeout()) + ", waiting for "
                    + request.probe().describe() + "; it was stopped", OptionalInt.empty(), timedOut.lastLines(), toReady, null);
            case WorkerStart.NotStarted notStarted -> throw new WorkerStartException(model, "the worker for " + model
                    + " could not be started: " + notStarted.reason(), OptionalInt.empty(), List.of(), toReady, null);
        };
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
    }
}
