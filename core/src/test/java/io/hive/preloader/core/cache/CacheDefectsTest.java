package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Defects the cache had, each with the case that showed it. */
class CacheDefectsTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final Executor direct = Runnable::run;
    final Executor threads = task -> Thread.ofPlatform().start(task);

    @Test
    void anAdmissionOfAnOlderVersionNeverDisplacesTheLoadOfTheNewerOne() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelDescriptor older = source.describe(a);
        source.replace(a, 2 * MiB);
        ModelDescriptor newer = source.describe(a);
        store.hold(a);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), threads, direct, source::isCurrent);

        CompletableFuture<Void> loading = cache.admit(newer, LoadProgress.NONE);
        // A caller that looked the model up before the file was replaced comes late with the old version.
        assertThatThrownBy(() -> cache.admit(older, LoadProgress.NONE)).isInstanceOf(StaleModelException.class)
                .hasMessage("a changed on disk since it was looked up; look it up again");
        store.open(a);
        loading.get(5, TimeUnit.SECONDS);

        assertThat(store.loads(a)).as("the newer version loaded once, the older never").isEqualTo(1);
        try (Lease lease = cache.lease(a, Origin.RAM).orElseThrow()) {
            assertThat(lease.descriptor()).isEqualTo(newer);
            assertThat(FakeStore.matches(lease.bytes(), newer)).isTrue();
        }
        assertThat(cache.usedBytes()).isEqualTo(2 * MiB);
        cache.close();
    }

    @Test
    void anAdmissionOfTheNewerVersionStillReplacesALoadOfTheOlderOne() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelDescriptor older = source.describe(a);
        store.hold(a);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), threads, direct, source::isCurrent);
        CompletableFuture<Void> first = cache.admit(older, LoadProgress.NONE);
        source.replace(a, 2 * MiB);

        CompletableFuture<Void> second = cache.admit(source.describe(a), LoadProgress.NONE);
        store.open(a);

        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StaleModelException.class);
        second.get(5, TimeUnit.SECONDS);
        assertThat(cache.lease(a, Origin.RAM).map(l -> {
            l.close();
            return l.descriptor();
        })).contains(source.describe(a));
        assertThat(store.liveBytes()).as("the older copy freed once its load ended").isEqualTo(2 * MiB);
        cache.close();
    }

    @Test
    void aTrimNeverEvictsAModelThePolicyProposesAgainstThePredicate() throws Exception {
        ModelId pinned = source.add("pinned", 4 * MiB), other = source.add("other", 4 * MiB);
        LruPolicy lru = new LruPolicy();
        EvictionPolicy careless = new EvictionPolicy() {
            @Override
            public String name() {
                return "careless";
            }

            @Override
            public void admitted(ModelId id, long bytes) {
                lru.admitted(id, bytes);
            }

            @Override
            public void accessed(ModelId id) {
                lru.accessed(id);
            }

            @Override
            public void removed(ModelId id) {
                lru.removed(id);
            }

            @Override
            public Optional<ModelId> victim(Predicate<ModelId> evictable) {
                return Optional.of(pinned); // ignores the predicate
            }
        };
        ModelCache cache = new ModelCache(store, careless, new ByteBudget(10 * MiB), direct);
        cache.pin(pinned);
        cache.admit(source.describe(pinned), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        cache.admit(source.describe(other), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        cache.budget(new ByteBudget(4 * MiB));

        assertThat(cache.snapshot().entries()).filteredOn(e -> e.id().equals(pinned)).singleElement()
                .satisfies(e -> assertThat(e.state()).isEqualTo(CacheSnapshot.State.RESIDENT));
        try (Lease lease = cache.lease(source.describe(pinned), Origin.RAM).orElseThrow()) {
            assertThat(FakeStore.matches(lease.bytes(), source.describe(pinned))).isTrue();
        }
        cache.close();
    }

    @Test
    void aPinWhoseLoadIsRefusedDoesNotStayBehind() throws Exception {
        ModelId held = source.add("held", 6 * MiB), big = source.add("big", 6 * MiB);
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(10 * MiB)).build()) {
            Lease lease = p.get(held);
            assertThatThrownBy(() -> p.pin(big).get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BudgetExceededException.class);
            lease.close();
            p.evict(held);

            p.preload(big).get(5, TimeUnit.SECONDS);

            assertThat(p.stats().cache().entries()).singleElement().satisfies(e -> {
                assertThat(e.id()).isEqualTo(big);
                assertThat(e.pinned()).as("the refused pin left nothing pinned").isFalse();
            });
            assertThat(p.evict(big)).isTrue();
        }
    }

    @Test
    void aPinAlreadyInPlaceSurvivesALaterRefusedPin() throws Exception {
        ModelId kept = source.add("kept", 6 * MiB), big = source.add("big", 6 * MiB);
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(10 * MiB)).build()) {
            p.pin(kept).get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> p.pin(big).get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(BudgetExceededException.class);
            assertThat(p.pin(kept).get(5, TimeUnit.SECONDS).id()).isEqualTo(kept);

            assertThat(p.stats().cache().entries()).singleElement().satisfies(e -> assertThat(e.pinned()).isTrue());
        }
    }

    @Test
    void aReleaseThatThrowsLeavesTheBytesCharged() throws Exception {
        ModelId a = source.add("a", 3 * MiB), b = source.add("b", 8 * MiB);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), direct);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        store.failNextRelease(a, new StoreException("munmap of /models/a.gguf failed: Invalid argument"));

        assertThat(cache.evict(a)).isTrue();

        assertThat(store.liveBytes()).as("the store still holds it").isEqualTo(3 * MiB);
        assertThat(cache.usedBytes()).as("so the budget still counts it").isEqualTo(3 * MiB);
        assertThat(cache.snapshot().entries()).singleElement()
                .satisfies(e -> assertThat(e.state()).isEqualTo(CacheSnapshot.State.RELEASE_FAILED));
        assertThatThrownBy(() -> cache.admit(source.describe(b), LoadProgress.NONE))
                .as("what is really held plus the newcomer would exceed the budget").isInstanceOf(BudgetExceededException.class);
    }

    @Test
    void aModelEvictedToMakeRoomWhoseReleaseThrowsFailsTheAdmissionAndStaysCharged() throws Exception {
        ModelId a = source.add("a", 6 * MiB), b = source.add("b", 6 * MiB);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), direct);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        store.failNextRelease(a, new StoreException("munmap failed"));

        assertThatThrownBy(() -> cache.admit(source.describe(b), LoadProgress.NONE).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(StoreException.class).hasMessageContaining("could not be freed");

        assertThat(store.loads(b)).as("never loaded beside bytes still held").isZero();
        assertThat(store.liveBytes()).isEqualTo(6 * MiB);
        assertThat(cache.usedBytes()).isEqualTo(6 * MiB);
        assertThat(cache.snapshot().entries()).extracting(CacheSnapshot.Entry::id, CacheSnapshot.Entry::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a, CacheSnapshot.State.RELEASE_FAILED));
    }
    /**
     * While over the budget, every close of an unleased, unpinned model handed a new trim to the background executor
     * (a task and a queue node, and the executor's queue lock, on a hit's close). While that executor is busy (here it
     * runs nothing, as while it frees a 40 GiB model), they piled up one per hit.
     */
    @Test
    void hitsWhileOverBudgetScheduleABoundedNumberOfTrims() {
        ModelId held = source.add("held", 2 * MiB); // a worker's: cannot go
        ModelId hot = source.add("hot", MiB);
        List<Runnable> queued = new ArrayList<>();
        Executor busyBackground = queued::add;
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(4 * MiB), direct, busyBackground,
                VersionCheck.trustCaller());
        cache.admit(source.describe(held), LoadProgress.NONE).join();
        cache.admit(source.describe(hot), LoadProgress.NONE).join();
        Lease worker = cache.lease(held, Origin.RAM).orElseThrow();
        Lease inFlight = cache.lease(hot, Origin.RAM).orElseThrow();
        cache.budget(new ByteBudget(MiB)); // the memory guard lowers it: neither model can go now
        int before = queued.size();
        inFlight.close(); // over the budget with hot unleased: one trim is queued

        for (int i = 0; i < 10_000; i++) {
            cache.lease(hot, Origin.RAM).orElseThrow().close();
        }

        assertThat(queued.size() - before).as("trims queued by that close and 10,000 hits").isEqualTo(1);
        worker.close();
        for (int next = before; next < queued.size(); next++) {
            queued.get(next).run(); // the one trim, then the frees it queued
        }
        assertThat(cache.usedBytes()).as("within the budget once the trim ran").isLessThanOrEqualTo(MiB);
        assertThat(store.liveBytes()).isLessThanOrEqualTo(cache.usedBytes());
    }

    /** handoff() did not check its lease: a closed lease told a worker where bytes were that may be gone. */
    @Test
    void aClosedLeaseHandsNothingOff() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(4 * MiB), direct);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        Lease lease = cache.lease(a, Origin.RAM).orElseThrow();
        lease.close();

        assertThatThrownBy(lease::handoff).isInstanceOf(IllegalStateException.class).hasMessage("lease on a is closed");
    }
}
