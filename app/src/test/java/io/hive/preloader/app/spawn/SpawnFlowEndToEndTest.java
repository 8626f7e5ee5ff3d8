package io.hive.preloader.app.spawn;

import io.hive.preloader.adapters.buffer.BufferRamStore;
import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.hugepages.HugePageRamStore;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.adapters.mmap.PageCache;
import io.hive.preloader.adapters.process.ProcessWorkerLauncher;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.ModelInUseException;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.SpawnFlow;
import io.hive.preloader.core.service.SpawnRequest;
import io.hive.preloader.core.service.Spawned;
import io.hive.preloader.core.service.WorkerStartException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The spawn flow with the real adapters and a real child process: a worker of the tests' own maps the file it is
 * given and prints its CRC32C, which must be the model's.
 */
class SpawnFlowEndToEndTest {
    static final long SIZE = 24L << 20;
    static final ReadinessProbe READY = ReadinessProbe.line("^ready$");

    @TempDir
    Path models;

    final List<ModelPreloader> opened = new ArrayList<>();
    final List<RunningWorker> workers = new ArrayList<>();
    final ModelId id = ModelId.of("model");
    Path file;
    String expected;

    @AfterEach
    void stop() throws Exception {
        for (RunningWorker w : workers) {
            w.stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        }
        opened.forEach(ModelPreloader::close);
    }

    void writeModel() throws IOException {
        byte[] bytes = ModelFiles.model(SIZE, 42);
        file = Files.write(models.resolve("model.gguf"), bytes);
        expected = ChecksumWorker.line(ChecksumWorker.crc32c(MemorySegment.ofArray(bytes)), SIZE);
    }

    ModelPreloader preloader(RamStore store) {
        ModelPreloader p = ModelPreloader.builder().source(new FolderModelSource(List.of(models), Map.of())).store(store)
                .budget(new ByteBudget(256L << 20)).build();
        opened.add(p);
        return p;
    }

    Spawned spawn(ModelPreloader preloader, String... workerArgs) {
        List<String> args = new ArrayList<>(List.of("{model}"));
        args.addAll(List.of(workerArgs));
        Spawned spawned = new SpawnFlow(preloader, new ProcessWorkerLauncher())
                .spawn(new SpawnRequest(id, ChecksumWorker.command(args.toArray(String[]::new)), READY).withTimeout(Duration.ofMinutes(2)));
        workers.add(spawned.worker());
        return spawned;
    }

    static CacheSnapshot.Entry entry(ModelPreloader p, ModelId id) {
        return p.stats().cache().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void shouldStartTheWorkerFromThePageCacheWhenTheModelIsResident() throws Exception {
        writeModel();
        ModelPreloader p = preloader(new MmapRamStore());
        p.preload(id).get(30, TimeUnit.SECONDS);

        Spawned spawned = spawn(p);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.RESIDENT);
        assertThat(spawned.handoff()).contains(new Handoff.PageCacheFile(file.toRealPath()));
        assertThat(spawned.worker().lastLines()).contains(expected, "ready");
        assertThat(spawned.worker().isAlive()).isTrue();
        assertThat(entry(p, id).leases()).as("the lease is held while the worker runs").isEqualTo(1);
        assertThat(entry(p, id).workers()).containsExactly(spawned.worker().pid());

        spawned.worker().stop(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        // The lease ends once the worker's process tree is seen gone: a look at /proc just after its exit.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertThat(entry(p, id).leases()).as("and ends when it exits").isZero());
    }

    static Stream<Arguments> sharedStores() {
        return Stream.of(
                Arguments.of("mmap", (Function<Path, RamStore>) dir -> new MmapRamStore()),
                Arguments.of("hugepages", (Function<Path, RamStore>) dir -> new HugePageRamStore(Optional.empty(), dir)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sharedStores")
    void shouldNeverEvictAModelWhileItsWorkerRunsAndFreeItOnceTheWorkerExits(String name, Function<Path, RamStore> store,
                                                                           @TempDir Path shm) throws Exception {
        writeModel();
        try (java.nio.channels.FileChannel written = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            written.force(true); // clean pages: the kernel drops dirty ones only once written back
        }
        ModelPreloader p = preloader(store.apply(shm));
        p.preload(id).get(30, TimeUnit.SECONDS);
        Spawned spawned = spawn(p);
        Path handedOver = spawned.modelPath();
        long pid = spawned.worker().pid();

        ModelInUseException refused = catchThrowableOfType(ModelInUseException.class, () -> p.evict(id));
        assertThat(refused).hasMessageContaining("worker pid " + pid);
        p.budget(new ByteBudget(1));
        assertThat(entry(p, id).state()).as("a lowered budget cannot take it either").isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(p.stats().cache().usedBytes()).as("charged while the worker runs").isEqualTo(SIZE);
        assertThat(Files.exists(handedOver)).isTrue();

        spawned.worker().stop(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);

        // Over the lowered budget and no longer held: it goes once the worker is gone, and its memory with it.
        await().atMost(Duration.ofSeconds(30)).until(() -> p.stats().cache().usedBytes() == 0);
        assertThat(p.stats().cache().entries()).isEmpty();
        if (name.equals("mmap")) {
            assertThat(PageCache.residentBytes(file)).as("dropped from the page cache").isLessThan(SIZE);
        } else {
            assertThat(Files.exists(handedOver)).as("the shared file, which is the memory, deleted").isFalse();
        }
    }

    @Test
    void shouldLoadTheModelFromDiskFirstWhenItIsNotResident() throws Exception {
        writeModel();
        PageCache.drop(file);
        ModelPreloader p = preloader(new MmapRamStore());

        Spawned spawned = spawn(p);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.LOADED);
        assertThat(spawned.worker().lastLines()).contains(expected);
        assertThat(entry(p, id).state()).as("resident for the next worker").isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(PageCache.residentBytes(file)).isEqualTo(SIZE);

        Spawned again = spawn(p);
        assertThat(again.route()).isEqualTo(Spawned.Route.RESIDENT);
        assertThat(again.worker().lastLines()).contains(expected);
    }

    @Test
    void shouldGiveTheWorkerTheModelFileWhenTheStoresCopyIsPrivate() throws Exception {
        writeModel();
        ModelPreloader p = preloader(new BufferRamStore(false));
        p.preload(id).get(30, TimeUnit.SECONDS);

        Spawned spawned = spawn(p);

        assertThat(spawned.route()).isEqualTo(Spawned.Route.RESIDENT);
        assertThat(spawned.handoff()).contains(new Handoff.PrivateMemory());
        assertThat(spawned.modelPath()).isEqualTo(file.toRealPath());
        assertThat(spawned.worker().lastLines()).contains(expected);
    }

    @Test
    void shouldRefuseToEvictAModelWhileItsWorkerStartsAndFreeItOnlyOnceTheWorkerExits() throws Exception {
        writeModel();
        ModelPreloader p = preloader(new MmapRamStore());
        p.preload(id).get(30, TimeUnit.SECONDS);
        Path gate = models.resolve("gate");
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Spawned> spawning = CompletableFuture.supplyAsync(() -> new SpawnFlow(p, new ProcessWorkerLauncher())
                .spawn(new SpawnRequest(id, ChecksumWorker.command("{model}", gate.toString()), READY)
                        .withTimeout(Duration.ofMinutes(2)).withOutput(lines::add)));
        await().atMost(Duration.ofMinutes(1)).until(() -> lines.stream().anyMatch(l -> l.startsWith("waiting for")));

        // The worker has not mapped the file yet: its process holds the lease already, so its pages stay.
        io.hive.preloader.core.cache.ModelInUseException refused = catchThrowableOfType(
                io.hive.preloader.core.cache.ModelInUseException.class, () -> p.evict(id));
        assertThat(refused.workers()).hasSize(1);
        CacheSnapshot.Entry starting = entry(p, id);
        assertThat(starting.state()).isEqualTo(CacheSnapshot.State.RESIDENT);
        assertThat(starting.workers()).isEqualTo(refused.workers());
        assertThat(p.stats().cache().usedBytes()).isEqualTo(SIZE);
        assertThat(PageCache.residentBytes(file)).as("not dropped from the page cache").isEqualTo(SIZE);

        Files.createFile(gate);
        Spawned spawned = spawning.get(2, TimeUnit.MINUTES);
        workers.add(spawned.worker());

        assertThat(spawned.worker().pid()).isEqualTo(refused.workers().getFirst());
        assertThat(spawned.worker().lastLines()).contains(expected);
        assertThat(p.stats().cache().usedBytes()).as("kept while the worker runs").isEqualTo(SIZE);

        spawned.worker().stop(Duration.ofSeconds(5)).get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> entry(p, id).workers().isEmpty());
        assertThat(p.evict(id)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> p.stats().cache().entries().isEmpty());
        assertThat(p.stats().cache().usedBytes()).isZero();
    }

    @Test
    void shouldReportTheExitStatusAndLastLinesOfAWorkerThatFailsToStart() throws Exception {
        writeModel();
        ModelPreloader p = preloader(new MmapRamStore());
        List<String> command = List.of("/bin/sh", "-c", "echo \"opening $1\"; echo 'error: unsupported model' >&2; exit 4", "worker", "{model}");

        WorkerStartException failure = catchThrowableOfType(WorkerStartException.class,
                () -> new SpawnFlow(p, new ProcessWorkerLauncher()).spawn(id, command, READY));

        assertThat(failure.exitCode()).hasValue(4);
        assertThat(failure.lastLines()).containsExactly("opening " + file.toRealPath(), "error: unsupported model");
        assertThat(failure).hasMessageContaining("exited with status 4 before it was ready");
        await().atMost(Duration.ofSeconds(30)).until(() -> entry(p, id).leases() == 0); // once its process tree is gone
    }
}
