package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the cache does when its collaborators fail: nothing stays reserved, loading or allocated for ever. */
class ModelCacheFailureTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final Executor direct = Runnable::run;

    @Test
    void aLoadNoThreadCanRunIsRefusedAndReservesNothing() {
        ModelId a = source.add("a", MiB);
        Executor rejecting = task -> {
            throw new RejectedExecutionException("no threads left");
        };
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), rejecting);

        assertThatThrownBy(() -> cache.admit(source.describe(a), LoadProgress.NONE)).isInstanceOf(RejectedExecutionException.class);

        assertThat(cache.snapshot().usedBytes()).isZero();
        assertThat(cache.snapshot().entries()).isEmpty();
    }

    @Test
    void aFailingEvictionListenerStillLetsTheBytesGo() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), direct);
        cache.addListener((id, bytes, reason) -> {
            throw new IllegalStateException("listener broke");
        });
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        assertThat(cache.evict(a)).isTrue();

        assertThat(cache.snapshot().usedBytes()).isZero();
        assertThat(store.liveRegions()).isZero();
    }

    @Test
    void aPolicyThatRefusesAModelFailsItsLoadAndFreesIt() {
        ModelId a = source.add("a", MiB);
        EvictionPolicy broken = new EvictionPolicy() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void admitted(ModelId id, long bytes) {
                throw new IllegalArgumentException("too big to weigh");
            }

            @Override
            public void accessed(ModelId id) {
            }

            @Override
            public void removed(ModelId id) {
            }

            @Override
            public Optional<ModelId> victim(Predicate<ModelId> evictable) {
                return Optional.empty();
            }
        };
        ModelCache cache = new ModelCache(store, broken, new ByteBudget(10 * MiB), direct);

        assertThatThrownBy(() -> cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);

        assertThat(cache.snapshot().usedBytes()).isZero();
        assertThat(store.liveRegions()).isZero();
    }

    @Test
    void changingTheBudgetOfAClosedCacheDoesNothing() throws Exception {
        ModelId a = source.add("a", MiB);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean shutDown = new java.util.concurrent.atomic.AtomicBoolean();
        Executor executor = task -> {
            if (shutDown.get()) {
                asked.incrementAndGet();
                throw new RejectedExecutionException("shut down");
            }
            task.run();
        };
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), executor);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        java.util.List<ModelId> evicted = new java.util.concurrent.CopyOnWriteArrayList<>();
        cache.addListener((id, bytes, reason) -> evicted.add(id));
        Lease lease = cache.lease(source.describe(a), Origin.RAM).orElseThrow();
        cache.close(); // a is leased: it stays until the lease closes, charged all the while
        shutDown.set(true); // as the preloader shuts its executors down after closing the cache

        cache.budget(new ByteBudget(1)); // far below what the lease holds

        assertThat(cache.snapshot().budgetBytes()).isEqualTo(1);
        assertThat(asked.get()).as("nothing handed to the shut-down executor").isZero();
        assertThat(evicted).as("nothing evicted by a closed cache").isEmpty();
        assertThat(FakeStore.matches(lease.bytes(), source.describe(a))).isTrue();
        lease.close();
        assertThat(store.liveRegions()).as("freed by its last lease, on the closing thread").isZero();
        assertThatThrownBy(() -> cache.admit(source.describe(a), LoadProgress.NONE)).isInstanceOf(CacheClosedException.class);
        assertThatThrownBy(() -> cache.lease(a, Origin.RAM)).isInstanceOf(CacheClosedException.class);
    }

    @Test
    void aLoadSharedByManyCallersIsCountedOnce() throws Exception {
        ModelId a = source.add("a", MiB);
        java.util.concurrent.atomic.AtomicLong counted = new java.util.concurrent.atomic.AtomicLong();
        store.hold(a);
        Executor later = task -> Thread.ofPlatform().start(task);
        ModelCache shared = new ModelCache(store, new LruPolicy(), new ByteBudget(10 * MiB), later);
        shared.addLoadListener((id, bytes, nanos) -> counted.addAndGet(bytes));

        var first = shared.admit(source.describe(a), LoadProgress.NONE);
        var second = shared.admit(source.describe(a), LoadProgress.NONE);
        store.open(a);
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);

        assertThat(counted.get()).isEqualTo(MiB);
        shared.close();
    }

    /**
     * The region was published (a lock-free hit could lease it) before the policy took the model; when the policy
     * threw, the entry was retired with retire()'s answer ignored and freed at once, although a hit had leased it in
     * between: the lease read freed memory, and its close gave the bytes back a second time.
     */
    @Test
    void aHitBetweenTheLoadAndAPolicyRefusalNeverReadsFreedBytes() throws Exception {
        ModelId a = source.add("a", MiB);
        AtomicReference<Lease> leasedMeanwhile = new AtomicReference<>();
        ModelCache cache = refusingWithAHitMeanwhile(a, leasedMeanwhile);

        assertThatThrownBy(() -> cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);

        // A model the policy refuses was never reachable: no hit leased it, and its bytes are gone.
        Lease lease = leasedMeanwhile.get();
        if (lease != null) {
            assertThat(FakeStore.matches(lease.bytes(), source.describe(a))).as("bytes under an open lease").isTrue();
            lease.close();
        }
        assertThat(lease).as("no hit leased a model the policy had not taken").isNull();
        assertThat(store.liveBytes()).isZero();
        assertThat(cache.usedBytes()).as("given back once, not twice").isZero();
    }

    /** The ledger part of the same defect: the second give-back drove usedBytes negative (a budget overshoot). */
    @Test
    void aHitBetweenTheLoadAndAPolicyRefusalIsGivenBackOnce() {
        ModelId a = source.add("a", MiB);
        AtomicReference<Lease> leasedMeanwhile = new AtomicReference<>();
        ModelCache cache = refusingWithAHitMeanwhile(a, leasedMeanwhile);
        cache.admit(source.describe(a), LoadProgress.NONE).exceptionally(failure -> null).join();

        Optional.ofNullable(leasedMeanwhile.get()).ifPresent(Lease::close);

        assertThat(cache.usedBytes()).as("charged once every lease is closed").isZero();
    }

    /**
     * A cache whose policy refuses every model, after another thread's hit (lock-free, while the loader holds the
     * admission lock inside the policy) tried to lease it; the lease it got, if any, in {@code leasedMeanwhile}.
     */
    private ModelCache refusingWithAHitMeanwhile(ModelId model, AtomicReference<Lease> leasedMeanwhile) {
        AtomicReference<ModelCache> cache = new AtomicReference<>();
        EvictionPolicy refusing = refusingAfter(() -> cache.get().lease(model, Origin.RAM).ifPresent(leasedMeanwhile::set));
        cache.set(new ModelCache(store, refusing, new ByteBudget(10 * MiB), direct));
        return cache.get();
    }

    /** LRU, except that admitted() first lets another thread run {@code meanwhile}, then throws. */
    private static EvictionPolicy refusingAfter(Runnable meanwhile) {
        EvictionPolicy lru = new LruPolicy();
        return new EvictionPolicy() {
            @Override
            public String name() {
                return "refusing";
            }

            @Override
            public void admitted(ModelId id, long bytes) {
                CompletableFuture.runAsync(meanwhile).join();
                throw new IllegalArgumentException("policy cannot take " + id);
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
                return lru.victim(evictable);
            }
        };
    }
}
