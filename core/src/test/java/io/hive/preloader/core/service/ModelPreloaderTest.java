package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.BudgetExceededException;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.LfuPolicy;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The preloader as a hive uses it, over real native memory from a fake store. */
class ModelPreloaderTest {
    static final long MiB = 1024 * 1024;

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final List<ModelPreloader> opened = new ArrayList<>();

    ModelPreloader preloader(long budget) {
        return preloader(ModelPreloader.builder().budget(new ByteBudget(budget)));
    }

    ModelPreloader preloader(PreloaderBuilder builder) {
        ModelPreloader p = builder.source(source).store(store).build();
        opened.add(p);
        return p;
    }

    @AfterEach
    void closeAndCheckNothingLeaks() {
        opened.forEach(ModelPreloader::close);
        assertThat(store.liveRegions()).as("regions still allocated after close").isZero();
    }

    static void loadAll(ModelPreloader p, ModelId... ids) throws Exception {
        for (ModelId id : ids) {
            p.preload(id).get(10, TimeUnit.SECONDS);
        }
    }

    static List<ModelId> resident(ModelPreloader p) {
        return p.stats().cache().entries().stream().filter(e -> e.state() == CacheSnapshot.State.RESIDENT).map(CacheSnapshot.Entry::id).toList();
    }

    @Nested
    class Admission {
        @Test
        void evictsTheLeastRecentlyUsedModelWhenTheBudgetIsFull() throws Exception {
            ModelId a = source.add("a", 4 * MiB), b = source.add("b", 4 * MiB), c = source.add("c", 4 * MiB);
            ModelPreloader p = preloader(9 * MiB);
            loadAll(p, a, b);
            p.get(a).close(); // a is now more recent than b

            loadAll(p, c);

            assertThat(resident(p)).containsExactly(a, c);
            assertThat(p.stats().cache().usedBytes()).isEqualTo(8 * MiB);
            assertThat(p.stats().cache().evictions()).isEqualTo(1);
            assertThat(store.liveBytes()).isEqualTo(8 * MiB);
        }

        @Test
        void lfuKeepsTheModelUsedMostOverTheOneUsedLast() throws Exception {
            ModelId a = source.add("a", 4 * MiB), b = source.add("b", 4 * MiB), c = source.add("c", 4 * MiB);
            ModelPreloader p = preloader(ModelPreloader.builder().budget(new ByteBudget(9 * MiB)).policy(new LfuPolicy()));
            loadAll(p, a, b);
            for (int i = 0; i < 5; i++) {
                p.get(a).close();
            }
            p.get(b).close();

            loadAll(p, c);

            assertThat(resident(p)).containsExactly(a, c);
        }

        @Test
        void refusesAModelLargerThanTheWholeBudgetAndEvictsNothing() throws Exception {
            ModelId small = source.add("small", MiB), huge = source.add("huge", 20 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            loadAll(p, small);

            assertThatThrownBy(() -> p.preload(huge).get())
                    .hasCauseInstanceOf(BudgetExceededException.class)
                    .hasMessageContaining("cannot admit huge: it needs 20.0 MiB, more than the whole budget of 10.0 MiB");
            assertThat(resident(p)).containsExactly(small);
        }

        @Test
        void neverEvictsAPinnedModelAndRefusesWhatCannotFitBesideIt() throws Exception {
            ModelId pinned = source.add("pinned", 6 * MiB), other = source.add("other", 6 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            p.pin(pinned).get();

            assertThatThrownBy(() -> p.get(other))
                    .isInstanceOf(BudgetExceededException.class)
                    .hasMessageContaining("only 0 B is evictable (the rest is pinned, loading or leased)");
            assertThat(resident(p)).containsExactly(pinned);
            assertThatThrownBy(() -> p.evict(pinned)).hasMessageContaining("pinned is pinned; unpin it");

            p.unpin(pinned);
            p.get(other).close();
            assertThat(resident(p)).containsExactly(other);
        }

        @Test
        void neverEvictsAModelWithAnOpenLeaseToAdmitAnother() throws Exception {
            ModelId held = source.add("held", 6 * MiB), other = source.add("other", 6 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            try (Lease lease = p.get(held)) {
                assertThatThrownBy(() -> p.get(other)).isInstanceOf(BudgetExceededException.class);
                assertThat(FakeStore.matches(lease.bytes(), source.describe(held))).isTrue();
            }
            p.get(other).close();
            assertThat(resident(p)).containsExactly(other);
        }

        @Test
        void anUnknownModelIsAClearError() {
            ModelPreloader p = preloader(MiB);
            assertThatThrownBy(() -> p.get(ModelId.of("nope"))).isInstanceOf(UnknownModelException.class)
                    .hasMessageContaining("unknown model 'nope'");
            assertThatThrownBy(() -> p.preload(ModelId.of("nope")).get()).hasCauseInstanceOf(UnknownModelException.class);
        }
    }

    @Nested
    class Loading {
        @Test
        void preloadReturnsAtOnceAndConcurrentPreloadsShareOneLoad() throws Exception {
            ModelId a = source.add("a", 2 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            store.hold(a);

            List<CompletableFuture<Loaded>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(p.preload(a));
            }
            assertThat(futures).noneMatch(CompletableFuture::isDone);
            assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::state)
                    .isEqualTo(CacheSnapshot.State.LOADING);
            store.open(a);

            for (CompletableFuture<Loaded> f : futures) {
                assertThat(f.get(10, TimeUnit.SECONDS).origin()).isEqualTo(Origin.DISK);
            }
            await().until(() -> store.loads(a) == 1);
            assertThat(store.loads(a)).isEqualTo(1);
            assertThat(p.preload(a).get().origin()).isEqualTo(Origin.RAM);
        }

        @Test
        void concurrentGetsOfAMissingModelLoadItOnce() throws Exception {
            ModelId a = source.add("a", 3 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            CountDownLatch start = new CountDownLatch(1);
            List<java.util.concurrent.Future<Boolean>> reads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                reads.add(pool.submit(() -> {
                    start.await();
                    try (Lease lease = p.get(a)) {
                        return FakeStore.matches(lease.bytes(), source.describe(a));
                    }
                }));
            }
            start.countDown();
            for (var r : reads) {
                assertThat(r.get(10, TimeUnit.SECONDS)).isTrue();
            }
            pool.shutdown();
            assertThat(store.loads(a)).isEqualTo(1);
        }

        @Test
        void aFailedLoadFreesItsReservationAndTheNextAttemptLoadsAgain() throws Exception {
            ModelId a = source.add("a", 6 * MiB), b = source.add("b", 3 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            loadAll(p, b);
            store.failNext(a, new StoreException("read error in /models/a.gguf at byte 4096"));

            assertThatThrownBy(() -> p.get(a)).isInstanceOf(StoreException.class).hasMessageContaining("/models/a.gguf");
            assertThat(p.stats().cache().usedBytes()).isEqualTo(3 * MiB);
            assertThat(resident(p)).containsExactly(b);

            try (Lease lease = p.get(a)) {
                assertThat(FakeStore.matches(lease.bytes(), source.describe(a))).isTrue();
            }
        }

        @Test
        void aFileReplacedOnDiskIsReloadedAndTheOldLeaseKeepsItsBytes() throws Exception {
            ModelId a = source.add("a", 2 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            Lease old = p.get(a);
            var oldVersion = source.describe(a);

            source.replace(a, 3 * MiB);

            assertThat(p.open(a)).as("the stale copy is not served on the fast path").isEmpty();
            try (Lease fresh = p.get(a)) {
                assertThat(fresh.origin()).isEqualTo(Origin.DISK);
                assertThat(FakeStore.matches(fresh.bytes(), source.describe(a))).isTrue();
                assertThat(FakeStore.matches(old.bytes(), oldVersion)).isTrue();
                assertThat(p.stats().cache().usedBytes()).isEqualTo(5 * MiB);
            }
            old.close();
            // Freed by the releaser thread, off the closing caller; charged until the store has let it go.
            await().until(() -> p.stats().cache().usedBytes() == 3 * MiB);
            assertThat(store.liveBytes()).isEqualTo(3 * MiB);
        }

        @Test
        void aModelReplacedWhileLoadingIsLoadedAgainAndTheOldBytesAreFreed() throws Exception {
            ModelId a = source.add("a", 2 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            store.hold(a);
            CompletableFuture<Loaded> first = p.preload(a);
            source.replace(a, 2 * MiB);
            CompletableFuture<Loaded> second = p.preload(a);
            store.open(a);

            // The first preload's version is gone: it is retried on the current version, which the second loads.
            assertThat(first.get(10, TimeUnit.SECONDS).id()).isEqualTo(a);
            second.get(10, TimeUnit.SECONDS);
            assertThat(store.loads(a)).isEqualTo(2);
            try (Lease lease = p.open(a).orElseThrow()) {
                assertThat(FakeStore.matches(lease.bytes(), source.describe(a))).isTrue();
            }
            assertThat(store.liveBytes()).isEqualTo(2 * MiB);
        }
    }

    @Nested
    class Leases {
        @Test
        void anEvictedModelIsFreedOnlyWhenItsLastLeaseCloses() throws Exception {
            ModelId a = source.add("a", 2 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            Lease first = p.get(a);
            Lease second = p.get(a);

            assertThat(p.evict(a)).isTrue();
            assertThat(p.open(a)).isEmpty();
            assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::state)
                    .isEqualTo(CacheSnapshot.State.DRAINING);

            first.close();
            first.close(); // a second close changes nothing
            assertThat(FakeStore.matches(second.bytes(), source.describe(a))).isTrue();
            assertThat(store.liveBytes()).isEqualTo(2 * MiB);
            second.close();
            assertThatThrownBy(second::bytes).hasMessageContaining("closed");
            await().until(() -> p.stats().cache().usedBytes() == 0);
            assertThat(store.liveBytes()).isZero();
            assertThat(p.stats().cache().entries()).isEmpty();
        }

        @Test
        void aLeaseSaysWhichPathServedIt() {
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(10 * MiB);
            try (Lease slow = p.get(a); Lease fast = p.get(a)) {
                assertThat(slow.origin()).isEqualTo(Origin.DISK);
                assertThat(fast.origin()).isEqualTo(Origin.RAM);
            }
        }
    }

    @Nested
    class Budget {
        @Test
        void loweringTheBudgetEvictsInTheBackgroundUntilWhatIsHeldFits() throws Exception {
            ModelId a = source.add("a", 3 * MiB), b = source.add("b", 3 * MiB), c = source.add("c", 3 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            loadAll(p, a, b, c);

            p.budget(new ByteBudget(4 * MiB));

            await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().cache().usedBytes() <= 4 * MiB);
            assertThat(resident(p)).containsExactly(c);
            assertThat(store.liveBytes()).isEqualTo(3 * MiB);
        }

        @Test
        void aLeasedModelOverTheLoweredBudgetGoesWhenItsLeaseCloses() throws Exception {
            ModelId a = source.add("a", 3 * MiB), b = source.add("b", 3 * MiB);
            ModelPreloader p = preloader(10 * MiB);
            loadAll(p, b);
            Lease lease = p.get(a);
            p.get(b).close();

            p.budget(new ByteBudget(2 * MiB));
            await().until(() -> !resident(p).contains(b));
            assertThat(resident(p)).containsExactly(a);

            lease.close();
            await().until(() -> store.liveBytes() == 0);
            assertThat(resident(p)).isEmpty();
            assertThat(p.stats().cache().usedBytes()).isZero();
        }

        @Test
        void theBuilderResolvesAShareOfRamOnlyWithHostMemory() {
            var builder = ModelPreloader.builder().source(source).store(store).budget("50%");
            assertThatThrownBy(builder::build).hasMessageContaining("share of RAM: call hostMemory");
            assertThatThrownBy(() -> ModelPreloader.builder().store(store).build()).hasMessageContaining("a ModelSource is required");
        }
    }

    @Nested
    class Statistics {
        @Test
        void countsHitsMissesLoadTimesAndEvictionsPerModel() throws Exception {
            ModelId a = source.add("a", 4 * MiB), b = source.add("b", 4 * MiB);
            ModelPreloader p = preloader(6 * MiB);
            p.get(a).close();              // miss, loaded from disk
            p.get(a).close();              // hit
            p.open(a).orElseThrow().close(); // hit
            p.get(b).close();              // miss, evicts a
            assertThat(p.open(a)).isEmpty(); // miss

            PreloaderStats stats = p.stats();
            assertThat(stats.hits()).isEqualTo(2);
            assertThat(stats.misses()).isEqualTo(3);
            assertThat(stats.hitRate()).isEqualTo(0.4);
            assertThat(stats.bytesLoadedFromDisk()).isEqualTo(8 * MiB);
            ModelStats aStats = stats.models().stream().filter(m -> m.id().equals(a)).findFirst().orElseThrow();
            assertThat(aStats.hits()).isEqualTo(2);
            assertThat(aStats.misses()).isEqualTo(2);
            assertThat(aStats.evictions()).isEqualTo(1);
            assertThat(aStats.lastLoadFromDisk()).isPresent();
            assertThat(aStats.lastOpenFromCache()).isPresent();
            assertThat(stats.mostAccessed(1)).extracting(ModelStats::id).containsExactly(a);
            assertThat(stats.cache().evictions()).isEqualTo(1);
        }

        @Test
        void accessCountsAreSavedOnCloseAndTheTopModelsPreloadedAtTheNextStart() throws Exception {
            ModelId a = source.add("a", MiB), b = source.add("b", MiB), c = source.add("c", MiB);
            AccessJournal journal = mock(AccessJournal.class);
            when(journal.read()).thenReturn(Map.of(a, 2L, b, 9L, c, 5L, ModelId.of("gone"), 50L));
            ModelPreloader p = preloader(ModelPreloader.builder().budget(new ByteBudget(10 * MiB)).journal(journal));

            assertThat(p.autoPreload(2)).containsExactly(b, c);
            await().until(() -> resident(p).size() == 2);
            assertThat(resident(p)).containsExactlyInAnyOrder(b, c);

            p.get(a).close();
            p.close();
            verify(journal).write(Map.of(a, 3L, b, 9L, c, 5L, ModelId.of("gone"), 50L));
        }
    }

    @Nested
    class Transfer {
        @Test
        void transferCopiesTheLeasedBytesThroughTheSinkAndClosesTheLease() {
            ModelId a = source.add("a", 2 * MiB);
            VramSink sink = mock(VramSink.class);
            DeviceCopy copy = mock(DeviceCopy.class);
            when(copy.bytes()).thenReturn(2 * MiB);
            when(sink.copy(eq(a), any(MemorySegment.class), anyInt())).thenAnswer(call -> {
                MemorySegment bytes = call.getArgument(1);
                assertThat(FakeStore.matches(bytes, source.describe(a))).isTrue();
                return copy;
            });
            ModelPreloader p = preloader(ModelPreloader.builder().budget(new ByteBudget(10 * MiB)).sink(sink));

            assertThat(p.transfer(a, 1)).isSameAs(copy);

            verify(sink).copy(eq(a), any(MemorySegment.class), eq(1));
            assertThat(p.stats().transfers()).isEqualTo(1);
            assertThat(p.stats().bytesTransferred()).isEqualTo(2 * MiB);
            assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::leases).isEqualTo(0);
        }

        @Test
        void aFailingSinkLeavesTheModelResidentAndUnleased() {
            ModelId a = source.add("a", MiB);
            VramSink sink = mock(VramSink.class);
            when(sink.copy(any(), any(), anyInt())).thenThrow(new StoreException("device 0: out of memory"));
            ModelPreloader p = preloader(ModelPreloader.builder().budget(new ByteBudget(10 * MiB)).sink(sink));

            assertThatThrownBy(() -> p.transfer(a, 0)).hasMessageContaining("out of memory");
            assertThat(p.stats().cache().entries()).singleElement().satisfies(e -> {
                assertThat(e.leases()).isZero();
                assertThat(e.state()).isEqualTo(CacheSnapshot.State.RESIDENT);
            });
        }

        @Test
        void withoutASinkTransferSaysWhatToConfigure() {
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(10 * MiB);
            assertThatThrownBy(() -> p.transfer(a, 0)).hasMessageContaining("no VramSink is configured");
        }
    }

    @Test
    void closingWithAnOpenLeaseFreesTheRestAndThatOneWhenItCloses() throws Exception {
        ModelId a = source.add("a", MiB), b = source.add("b", MiB);
        ModelPreloader p = preloader(10 * MiB);
        loadAll(p, b);
        Lease lease = p.get(a);
        p.close();
        assertThat(store.liveBytes()).isEqualTo(MiB);
        lease.close();
        assertThat(store.liveBytes()).isZero();
    }
}
