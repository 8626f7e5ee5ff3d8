package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.ModelInUseException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.testing.FakeLauncher;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.ForwardingRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** The spawn flow over a fake store and a fake launcher: which path a model takes, and what is held while a worker starts. */
class SpawnFlowTest {
    static final long MiB = 1024 * 1024;
    static final List<String> COMMAND = List.of("worker", "--model", "{model}", "--name={model}.log");
    static final ReadinessProbe READY_LINE = ReadinessProbe.line("ready");

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final FakeLauncher launcher = new FakeLauncher();
    final List<ModelPreloader> opened = new ArrayList<>();

    ModelPreloader preloader(long budget) {
        return preloader(budget, store);
    }

    ModelPreloader preloader(long budget, RamStore ramStore) {
        ModelPreloader p = ModelPreloader.builder().source(source).store(ramStore).budget(new ByteBudget(budget)).build();
        opened.add(p);
        return p;
    }

    @AfterEach
    void closeAndCheckNothingLeaks() {
        launcher.workers().forEach(w -> w.stop(Duration.ZERO));
        opened.forEach(ModelPreloader::close);
        assertThat(store.liveRegions()).as("regions still allocated after close").isZero();
    }

    static CacheSnapshot.Entry entry(ModelPreloader p, ModelId id) {
        return p.stats().cache().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void shouldTakeTheFastPathWhenTheModelIsResident() throws Exception {
        ModelId a = source.add("a", 2 * MiB);
        ModelPreloader p = preloader(16 * MiB);
        p.preload(a).get(10, TimeUnit.SECONDS);

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.RESIDENT);
        assertThat(store.loads(a)).as("no second load").isEqualTo(1);
        assertThat(spawned.handoff()).contains(new Handoff.PrivateMemory());
        assertThat(spawned.modelPath()).isEqualTo(Path.of("/models/a.gguf"));
        assertThat(spawned.worker().isAlive()).isTrue();
        assertThat(p.stats().hits()).isEqualTo(1);
    }

    @Test
    void shouldPutTheModelsPathInTheCommandLineAndTheEnvironment() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        WorkerRequest request = launcher.requests().getFirst();
        assertThat(request.command()).containsExactly("worker", "--model", "/models/a.gguf", "--name=/models/a.gguf.log");
        assertThat(spawned.command()).isEqualTo(request.command());
        assertThat(request.environment()).containsEntry("PRELOADER_MODEL", "/models/a.gguf").containsEntry("PRELOADER_MODEL_ID", "a");
        assertThat(request.probe()).isSameAs(READY_LINE);
    }

    @Test
    void shouldTakeTheSlowPathFromDiskWhenTheModelIsNotResident() {
        ModelId a = source.add("a", 2 * MiB);
        ModelPreloader p = preloader(16 * MiB);

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.LOADED);
        assertThat(store.loads(a)).isEqualTo(1);
        assertThat(entry(p, a).state()).as("resident for the next worker").isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(p.stats().misses()).isEqualTo(1);
        assertThat(p.stats().bytesLoadedFromDisk()).isEqualTo(2 * MiB);
    }

    @Test
    void shouldHoldTheLeaseForTheWorkersWholeLifeAndReleaseItWhenItExits() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        List<Integer> leasesDuringStart = new ArrayList<>();
        launcher.onStart(request -> leasesDuringStart.add(entry(p, a).leases()));

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThat(leasesDuringStart).containsExactly(1);
        assertThat(entry(p, a).leases()).as("held while the worker runs").isEqualTo(1);
        assertThat(entry(p, a).workers()).containsExactly(spawned.worker().pid());
        assertThat(p.stats().cache().usedBytes()).as("charged while the worker runs").isEqualTo(MiB);

        spawned.worker().stop(Duration.ZERO).get(10, TimeUnit.SECONDS);

        assertThat(entry(p, a).leases()).isZero();
        assertThat(entry(p, a).workers()).isEmpty();
        assertThat(entry(p, a).state()).as("resident for the next worker").isEqualTo(CacheSnapshot.State.RESIDENT);
    }

    @Test
    void shouldRefuseToEvictAModelWhileAWorkerRunsOnItNamingTheWorker() throws Exception {
        ModelId a = source.add("a", 2 * MiB);
        ModelPreloader p = preloader(16 * MiB);
        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);
        long pid = spawned.worker().pid();

        ModelInUseException refused = catchThrowableOfType(ModelInUseException.class, () -> p.evict(a));

        assertThat(refused).hasMessage("a is in use by worker pid " + pid + "; it stays resident until that worker exits");
        assertThat(refused.workers()).containsExactly(pid);
        assertThat(entry(p, a).state()).isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(store.liveRegions()).isEqualTo(1);

        spawned.worker().stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertThat(p.evict(a)).isTrue();
        assertThat(store.liveRegions()).isZero();
        assertThat(p.stats().cache().usedBytes()).isZero();
    }

    @Test
    void shouldNeverLetTheBudgetEvictAModelWhoseWorkerRuns() throws Exception {
        ModelId a = source.add("a", 4 * MiB), b = source.add("b", 4 * MiB);
        ModelPreloader p = preloader(6 * MiB);
        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThatThrownBy(() -> p.get(b)).isInstanceOf(BudgetExceededException.class);
        p.budget(new ByteBudget(MiB));
        assertThat(entry(p, a).state()).isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(p.stats().cache().usedBytes()).isEqualTo(4 * MiB);

        spawned.worker().stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        // Over the lowered budget and no longer held: the worker's exit lets it go.
        await().until(() -> p.stats().cache().usedBytes() == 0);
        assertThat(store.liveRegions()).isZero();
    }

    @Test
    void shouldReleaseTheLeaseAtOnceForAWorkerWhoseReadinessIsItsExit() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        launcher.exitsCleanly(0);

        new SpawnFlow(p, launcher).spawn(a, COMMAND, ReadinessProbe.exit());

        assertThat(entry(p, a).leases()).isZero();
        assertThat(entry(p, a).workers()).isEmpty();
    }

    /** The hold began only once the worker was ready: during a long start-up an eviction went through. */
    @Test
    void shouldRefuseToEvictAModelWhileItsWorkerIsStillStarting() throws Exception {
        ModelId a = source.add("a", 3 * MiB);
        ModelPreloader p = preloader(16 * MiB);
        p.preload(a).get(10, TimeUnit.SECONDS);
        launcher.hold();
        CompletableFuture<Spawned> spawning = CompletableFuture.supplyAsync(() -> new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE));
        launcher.awaitStarted();
        long pid = launcher.workers().getFirst().pid();

        ModelInUseException refused = catchThrowableOfType(ModelInUseException.class, () -> p.evict(a));

        assertThat(refused.workers()).containsExactly(pid);
        assertThat(entry(p, a).state()).isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(entry(p, a).workers()).as("shown while it starts").containsExactly(pid);
        launcher.proceed();
        Spawned spawned = spawning.get(10, TimeUnit.SECONDS);
        assertThat(spawned.worker().pid()).isEqualTo(pid);
        assertThat(entry(p, a).workers()).containsExactly(pid);

        spawned.worker().stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        assertThat(p.evict(a)).isTrue();
        await().until(() -> store.liveRegions() == 0);
        assertThat(p.stats().cache().usedBytes()).isZero();
    }

    /** A worker not ready in time was only signalled when its start returned: its lease closed while it still ran. */
    @Test
    void shouldHoldTheModelForATimedOutWorkerUntilItHasReallyExited() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        launcher.timesOutStillExiting(List.of("still loading"));

        assertThatThrownBy(() -> new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE)).isInstanceOf(WorkerStartException.class);

        FakeLauncher.Worker stopping = launcher.workers().getFirst();
        assertThat(entry(p, a).leases()).as("held while the stopped worker is still exiting").isEqualTo(1);
        assertThatThrownBy(() -> p.evict(a)).isInstanceOf(ModelInUseException.class);
        stopping.stop(Duration.ZERO);
        assertThat(entry(p, a).leases()).isZero();
        assertThat(entry(p, a).workers()).isEmpty();
    }

    @Test
    void shouldReportTheExitStatusAndLastLinesOfAWorkerThatExitsBeforeItIsReady() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        launcher.exitsWith(3, List.of("loading /models/a.gguf", "error: out of memory"));

        WorkerStartException failure = catchThrowableOfType(WorkerStartException.class,
                () -> new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE));

        assertThat(failure.exitCode()).hasValue(3);
        assertThat(failure.lastLines()).containsExactly("loading /models/a.gguf", "error: out of memory");
        assertThat(failure.model()).isEqualTo(a);
        assertThat(failure).hasMessageStartingWith("the worker for a (pid 4001) exited with status 3 before it was ready (after ")
                .hasMessageEndingWith(", waiting for a line matching /ready/)");
        assertThat(entry(p, a).leases()).as("lease released").isZero();
        assertThat(entry(p, a).state()).as("the model stays resident").isEqualTo(CacheSnapshot.State.RESIDENT);
    }

    @Test
    void shouldSayWhenAWorkerWasNotReadyInTimeOrCouldNotStart() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        SpawnFlow flow = new SpawnFlow(p, launcher);
        SpawnRequest request = new SpawnRequest(a, COMMAND, ReadinessProbe.port(8080)).withTimeout(Duration.ofSeconds(5));

        launcher.timesOut(List.of("still loading"));
        WorkerStartException late = catchThrowableOfType(WorkerStartException.class, () -> flow.spawn(request));
        assertThat(late).hasMessage("the worker for a (pid 4001) was not ready within 5.000 s, waiting for port 8080 open on 127.0.0.1; it was stopped");
        assertThat(late.exitCode()).isEmpty();
        assertThat(late.lastLines()).containsExactly("still loading");

        launcher.cannotStart("Cannot run program \"worker\": error=2, No such file or directory");
        assertThatThrownBy(() -> flow.spawn(request)).isInstanceOf(WorkerStartException.class)
                .hasMessage("the worker for a could not be started: Cannot run program \"worker\": error=2, No such file or directory");
        assertThat(entry(p, a).leases()).isZero();
    }

    @Test
    void shouldKillTheWorkerAndKeepTheInterruptWhenInterrupted() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB);
        launcher.interrupted();

        assertThatThrownBy(() -> new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE))
                .isInstanceOf(WorkerStartException.class).hasMessageContaining("interrupted");
        assertThat(Thread.interrupted()).as("interrupt flag restored (and cleared here)").isTrue();
        // Killed, but the model is held until the process has really gone.
        assertThat(entry(p, a).leases()).isEqualTo(1);
        launcher.workers().getFirst().stop(Duration.ZERO);
        assertThat(entry(p, a).leases()).isZero();
    }

    @Test
    void shouldGiveTheWorkerTheSharedFileOfAShareMemoryStore() {
        ModelId a = source.add("a", MiB);
        Path shared = Path.of("/dev/shm/preloader/a");
        ModelPreloader p = preloader(16 * MiB, new HandingOff(store, model -> new Handoff.SharedFile(shared)));

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThat(spawned.modelPath()).isEqualTo(shared);
        assertThat(launcher.requests().getFirst().command()).contains("/dev/shm/preloader/a");
    }

    @Test
    void shouldGiveTheWorkerTheModelFileOfAPageCacheStore() {
        ModelId a = source.add("a", MiB);
        ModelPreloader p = preloader(16 * MiB, new HandingOff(store, model -> new Handoff.PageCacheFile(model.path())));

        Spawned spawned = new SpawnFlow(p, launcher).spawn(a, COMMAND, READY_LINE);

        assertThat(spawned.handoff()).contains(new Handoff.PageCacheFile(Path.of("/models/a.gguf")));
        assertThat(spawned.modelPath()).isEqualTo(Path.of("/models/a.gguf"));
    }

    @Test
    void shouldLetTheWorkerReadTheFileItselfWhenTheModelCannotFitTheBudget() throws Exception {
        ModelId kept = source.add("kept", 6 * MiB);
        ModelId big = source.add("big", 6 * MiB);
        ModelPreloader p = preloader(10 * MiB);
        p.pin(kept).get(10, TimeUnit.SECONDS);

        Spawned spawned = new SpawnFlow(p, launcher).spawn(big, COMMAND, READY_LINE);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.UNCACHED);
        assertThat(spawned.handoff()).isEmpty();
        assertThat(spawned.modelPath()).isEqualTo(Path.of("/models/big.gguf"));
        assertThat(store.loads(big)).isZero();
        assertThat(entry(p, kept).state()).isEqualTo(CacheSnapshot.State.RESIDENT);
        // No lease, nothing charged: the worker's own reads of the file are not the cache's bytes.
        assertThat(p.stats().cache().entries()).extracting(CacheSnapshot.Entry::id).containsExactly(kept);
        assertThat(entry(p, kept).workers()).isEmpty();
        assertThat(p.stats().cache().usedBytes()).isEqualTo(6 * MiB);
    }

    @Test
    void shouldRefuseAnUnknownModelWithoutStartingAWorker() {
        ModelPreloader p = preloader(16 * MiB);

        assertThatThrownBy(() -> new SpawnFlow(p, launcher).spawn(ModelId.of("nope"), COMMAND, READY_LINE))
                .isInstanceOf(UnknownModelException.class);
        assertThat(launcher.requests()).isEmpty();
    }

    @Test
    void shouldRefuseAnEmptyCommandOrABadProbe() {
        ModelId a = ModelId.of("a");
        assertThatThrownBy(() -> new SpawnRequest(a, List.of(), READY_LINE)).hasMessage("spawn needs a command to run");
        assertThatThrownBy(() -> ReadinessProbe.port(70000)).hasMessage("port 70000 is not a TCP port (1-65535)");
        assertThatThrownBy(() -> ReadinessProbe.line("(")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SpawnRequest(a, COMMAND, READY_LINE).withTimeout(Duration.ZERO))
                .hasMessageContaining("timeout must be positive");
    }

    /** A store whose regions hand off as the test says, over the fake store's memory. */
    record HandingOff(RamStore delegate, Function<ModelDescriptor, Handoff> handoff) implements RamStore {
        @Override
        public String name() {
            return "handing-off";
        }

        @Override
        public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
            Handoff h = handoff.apply(model);
            return new ForwardingRegion(delegate.load(model, progress)) {
                @Override
                public Handoff handoff() {
                    return h;
                }
            };
        }
    }
}
