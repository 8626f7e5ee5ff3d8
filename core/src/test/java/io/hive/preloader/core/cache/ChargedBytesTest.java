package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
        CountDownLatch releasing = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        Executor threads = task -> Thread.ofPlatform().start(task);
        ModelCache cache = new ModelCache(slowToFree(releasing, mayFinish), new LruPolicy(), new ByteBudget(MiB), threads, threads,
                VersionCheck.trustCaller());
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        Lease lease = cache.lease(a, Origin.RAM).orElseThrow();
        assertThat(cache.evict(a)).isTrue(); // leased: freed by the last lease, on the background executor
        lease.close();
        assertThat(releasing.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50);

        assertThat(cache.usedBytes()).as("charged while the store still holds a").isGreaterThanOrEqualTo(store.liveBytes());
        CompletableFuture<Void> admitB = cache.admit(source.describe(b), LoadProgress.NONE);
        Thread.sleep(50);
        assertThat(store.liveBytes()).as("b never sits beside a beyond the budget").isLessThanOrEqualTo(MiB);
        mayFinish.countDown();
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

    /** Over the fake store: a release that signals when it starts and finishes only when told to. */
    private RamStore slowToFree(CountDownLatch releasing, CountDownLatch mayFinish) {
        return new RamStore() {
            @Override
            public String name() {
                return "slow-to-free";
            }

            @Override
            public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
                ResidentRegion region = store.load(model, progress);
                return new ResidentRegion() {
                    @Override
                    public MemorySegment bytes() {
                        return region.bytes();
                    }

                    @Override
                    public long residentBytes() {
                        return region.residentBytes();
                    }

                    @Override
                    public void release(Release how) {
                        releasing.countDown();
                        try {
                            mayFinish.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        region.release(how);
                    }
                };
            }
        };
    }
}
