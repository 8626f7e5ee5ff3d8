package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.HeldReleases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MemoryPressureGuardTest {
    static final long MiB = 1024 * 1024;

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final AtomicLong available = new AtomicLong();
    volatile double stalled;
    volatile OptionalLong cgroupRoom = OptionalLong.empty();
    final HostMemory host = new HostMemory() {
        @Override
        public long totalBytes() {
            return 1024 * MiB;
        }

        @Override
        public long availableBytes() {
            return available.get();
        }

        @Override
        public OptionalDouble stallPercent() {
            return OptionalDouble.of(stalled);
        }

        @Override
        public OptionalLong cgroupRoomBytes() {
            return cgroupRoom;
        }
    };

    static final ByteBudget ONE_GIB = new ByteBudget(1024 * MiB);

    /** A preloader under a budget of 1 GiB holding three models of 8 MiB, loaded while the host had room. */
    ModelPreloader holdingThreeModels() throws Exception {
        ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(ONE_GIB).build();
        available.set(500 * MiB);
        for (String id : new String[]{"a", "b", "c"}) {
            p.preload(source.add(id, 8 * MiB)).get();
        }
        return p;
    }

    @Test
    void aBudgetAboveWhatIsAvailableIsShrunkToWhatFitsBesideTheReserve() throws Exception {
        ByteBudget configured = ONE_GIB;
        try (ModelPreloader p = holdingThreeModels();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, configured, 4 * MiB)) {

            // Still room beside the reserve: 24 MiB held, 6 MiB available, 4 MiB to keep free. Nothing goes.
            available.set(6 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(24 * MiB + 6 * MiB - 4 * MiB);
            assertThat(p.stats().cache().usedBytes()).isEqualTo(24 * MiB);

            // The host runs short: only 2 MiB available, below the 4 MiB reserve. One model goes.
            available.set(2 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(22 * MiB);
            await().until(() -> p.stats().cache().usedBytes() <= 22 * MiB);
            assertThat(p.stats().cache().usedBytes()).isEqualTo(16 * MiB);
            assertThat(p.stats().cache().budgetBytes()).isEqualTo(22 * MiB);

            // The pressure passes: the budget grows back, never past the configured one.
            available.set(4096 * MiB);
            assertThat(guard.check()).isEqualTo(configured);
            assertThat(p.stats().cache().budgetBytes()).isEqualTo(configured.bytes());
        }
    }

    @Test
    void stalledTasksMakeItGiveBackMoreThanTheArithmeticSays() throws Exception {
        ModelId a = source.add("a", 10 * MiB), b = source.add("b", 10 * MiB);
        ByteBudget configured = new ByteBudget(100 * MiB);
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(configured).build();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, configured, 0)) {
            available.set(1024 * MiB);
            p.preload(a).get();
            p.preload(b).get();
            stalled = 35;

            assertThat(guard.check().bytes()).isEqualTo(20 * MiB - 2 * MiB);
            await().until(() -> p.stats().cache().usedBytes() == 10 * MiB);
        }
    }

    @Test
    void aStartedGuardChecksOnItsOwn() throws Exception {
        ModelId a = source.add("a", 10 * MiB);
        ByteBudget configured = new ByteBudget(100 * MiB);
        available.set(1024 * MiB);
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(configured).build();
             MemoryPressureGuard guard = MemoryPressureGuard.start(p, host, configured, MiB, Duration.ofMillis(10))) {
            p.preload(a).get();
            available.set(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.stats().cache().usedBytes() == 0);
        }
    }

    @Test
    void aPageCacheStoresModelsAreInMemAvailableAlreadyAndAreNotCountedTwice() throws Exception {
        store.inPageCache();
        try (ModelPreloader p = holdingThreeModels();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, ONE_GIB, 4 * MiB)) {

            // 30 MiB available, of which the 24 MiB of models are part (reclaimable file pages): 26 fit, not 50.
            available.set(30 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(30 * MiB - 4 * MiB);
            assertThat(p.stats().cache().usedBytes()).isEqualTo(24 * MiB);

            available.set(20 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(16 * MiB);
            await().until(() -> p.stats().cache().usedBytes() <= 16 * MiB);
        }
    }

    @Test
    void underACgroupLimitTheCgroupsRoomBoundsTheBudgetWhateverTheHostHas() throws Exception {
        try (ModelPreloader p = holdingThreeModels();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, ONE_GIB, 4 * MiB)) {
            available.set(4096 * MiB);

            // The host has 4 GiB free, but the container may take only 6 MiB more beside its 24.
            cgroupRoom = OptionalLong.of(6 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(24 * MiB + 6 * MiB - 4 * MiB);

            cgroupRoom = OptionalLong.of(0);
            assertThat(guard.check().bytes()).isEqualTo(20 * MiB);
            await().until(() -> p.stats().cache().usedBytes() == 16 * MiB);

            cgroupRoom = OptionalLong.empty();
            assertThat(guard.check()).isEqualTo(ONE_GIB);
        }
    }

    @Test
    void aCheckNeverMeasuresResidency() throws Exception {
        ModelId a = source.add("a", 8 * MiB);
        ByteBudget configured = new ByteBudget(1024 * MiB);
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(configured).build();
             MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, configured, 4 * MiB)) {
            available.set(500 * MiB);
            p.preload(a).get();
            int afterLoad = store.residencyReads();

            for (int i = 0; i < 100; i++) {
                guard.check();
            }

            assertThat(store.residencyReads()).as("mincore calls").isEqualTo(afterLoad);
        }
    }
    /**
     * A private store's model being freed was counted twice: in what the cache holds (its bytes stay charged until the
     * store has freed them) and in MemAvailable, which grows while the store frees them. Only what stays counts.
     */
    @Test
    void bytesBeingFreedAreNotCountedAsHeldBesideWhatTheHostAlreadyHasBack() throws Exception {
        HeldReleases slowToFree = new HeldReleases(store);
        ModelPreloader p = ModelPreloader.builder().source(source).store(slowToFree).budget(ONE_GIB).build();
        try (MemoryPressureGuard guard = MemoryPressureGuard.manual(p, host, ONE_GIB, 4 * MiB)) {
            available.set(500 * MiB);
            for (String id : new String[]{"a", "b", "c"}) {
                p.preload(source.add(id, 8 * MiB)).get();
            }
            Lease lease = p.get(ModelId.of("a"));
            assertThat(p.evict(ModelId.of("a"))).isTrue();
            lease.close(); // its last lease: freed on the releaser's thread, which is held mid-way
            assertThat(slowToFree.awaitReleasing()).isTrue();
            assertThat(p.usedBytes()).as("still charged while being freed").isEqualTo(24 * MiB);

            // 6 MiB available, part of it a's pages already back: 16 MiB held, not 24.
            available.set(6 * MiB);
            assertThat(guard.check().bytes()).isEqualTo(16 * MiB + 6 * MiB - 4 * MiB);
        } finally {
            slowToFree.finish();
            p.close();
        }
    }
}
