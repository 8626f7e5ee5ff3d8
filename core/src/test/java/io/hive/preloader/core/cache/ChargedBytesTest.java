package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.HeldReleases;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The invariant the cache's budget rests on: what is charged is never less than what the store holds, and is all
 * given back once the store holds nothing more. Each case is a path on which bytes were given back too early, twice,
 * or never.
 */
class ChargedBytesTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();

    /**
     * Checked while a release is under way: a store whose release is held mid-way, as a munmap of 40 GiB takes a
     * while. Fails when the releaser gives the bytes back before the store has freed them (checked by planting that
     * in {@code Releaser.now}: settle first, yield, then free).
     */
    @Test
    void bytesStayChargedWhileTheStoreIsStillFreeingThem() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelId b = source.add("b", MiB);
        HeldReleases slowToFree = new HeldReleases(store);
        Executor threads = task -> Thread.ofPlatform().start(task);
        ModelCache cache = new ModelCache(slowToFree, new LruPolicy(), new ByteBudget(MiB), threads, threads, VersionCheck.trustCaller());
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        Lease lease = cache.lease(a, Origin.RAM).orElseThrow();
        assertThat(cache.evict(a)).isTrue(); // leased: freed by the last lease, on the background executor
        lease.close();
        assertThat(slowToFree.awaitReleasing()).isTrue();
        Thread.sleep(50);

        assertThat(cache.usedBytes()).as("charged while the store still holds a").isGreaterThanOrEqualTo(store.liveBytes());
        CompletableFuture<Void> admitB = cache.admit(source.describe(b), LoadProgress.NONE);
        Thread.sleep(50);
        assertThat(store.liveBytes()).as("b never sits beside a beyond the budget").isLessThanOrEqualTo(MiB);
        slowToFree.finish();
        admitB.get(5, TimeUnit.SECONDS);
        assertThat(cache.usedBytes()).isEqualTo(MiB);
    }

    /**
     * When the loader refuses the task of an admission that evicted models, the victims are freed, and with them
     * every byte charged for the admission: its share and the victims' bytes, which counted as its own (only the
     * share was given back, so the victims' bytes stayed charged for ever).
     */
    @Test
    void aLoadTheLoaderRefusesAfterItEvictedGivesAllItsBytesBack() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelId b = source.add("b", MiB);
        ModelId c = source.add("c", MiB);
        AtomicBoolean rejecting = new AtomicBoolean();
        Executor executor = task -> {
            if (rejecting.get()) {
                throw new RejectedExecutionException("no threads left");
            }
            task.run();
        };
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(2 * MiB), executor);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        cache.admit(source.describe(b), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        rejecting.set(true);

        assertThatThrownBy(() -> cache.admit(source.describe(c), LoadProgress.NONE)).isInstanceOf(RejectedExecutionException.class);

        assertThat(store.liveBytes()).as("only b is held").isEqualTo(MiB);
        assertThat(cache.usedBytes()).as("only b is charged").isEqualTo(MiB);
    }

    /** The same when the admission evicted more than its own size: all of it goes back too. */
    @Test
    void aLoadTheLoaderRefusesAfterEvictingMoreThanItsSizeGivesAllItsBytesBack() throws Exception {
        ModelId big = source.add("big", 3 * MiB);
        ModelId small = source.add("small", MiB);
        AtomicBoolean rejecting = new AtomicBoolean();
        Executor executor = task -> {
            if (rejecting.get()) {
                throw new RejectedExecutionException("no threads left");
            }
            task.run();
        };
        ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(3 * MiB), executor);
        cache.admit(source.describe(big), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        rejecting.set(true);

        assertThatThrownBy(() -> cache.admit(source.describe(small), LoadProgress.NONE)).isInstanceOf(RejectedExecutionException.class);

        assertThat(store.liveBytes()).isZero();
        assertThat(cache.usedBytes()).isZero();
        assertThat(cache.snapshot().entries()).isEmpty();
    }
}
