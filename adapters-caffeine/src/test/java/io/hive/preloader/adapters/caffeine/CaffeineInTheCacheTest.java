package io.hive.preloader.adapters.caffeine;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy driving core's real cache through the preloader, over a store of real (small) native memory. */
class CaffeineInTheCacheTest {
    private static final long MIB = 1L << 20;
    private static final long BUDGET = 16 * MIB;

    private final FakeSource source = new FakeSource();
    private final FakeStore store = new FakeStore();

    private ModelPreloader preloader(EvictionPolicy policy) {
        return ModelPreloader.builder().source(source).store(store).policy(policy).budget(new ByteBudget(BUDGET)).build();
    }

    private static Origin spawn(ModelPreloader preloader, ModelId id) {
        try (Lease lease = preloader.get(id)) {
            return lease.origin();
        }
    }

    /** Two models in steady use, then a scan of one-offs, then the steady ones again: which ones come from RAM? */
    private List<Origin> steadyUseAcrossAScan(EvictionPolicy policy) {
        ModelId a = source.add("steady-a", 4 * MIB);
        ModelId b = source.add("steady-b", 4 * MIB);
        List<ModelId> scan = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            scan.add(source.add("one-off-" + i, 4 * MIB));
        }
        try (ModelPreloader p = preloader(policy)) {
            for (int round = 0; round < 10; round++) {
                spawn(p, a);
                spawn(p, b);
            }
            for (ModelId once : scan) {
                spawn(p, once);
            }
            List<Origin> after = List.of(spawn(p, a), spawn(p, b));
            assertThat(p.stats().cache().usedBytes()).isLessThanOrEqualTo(BUDGET);
            return after;
        }
    }

    @Test
    void keepsModelsInSteadyUseResidentWhileAScanOfOneOffsPassesThrough() {
        assertThat(steadyUseAcrossAScan(new CaffeineEvictionPolicy(BUDGET))).containsExactly(Origin.RAM, Origin.RAM);
    }

    @Test
    void whereLruLosesThemToTheScan() {
        assertThat(steadyUseAcrossAScan(new LruPolicy())).containsExactly(Origin.DISK, Origin.DISK);
    }

    @Test
    void neverEvictsAPinnedModelNorALeasedOne() {
        ModelId pinned = source.add("pinned", 4 * MIB);
        ModelId leased = source.add("leased", 4 * MIB);
        try (ModelPreloader p = preloader(new CaffeineEvictionPolicy(BUDGET))) {
            p.pin(pinned).join();
            try (Lease held = p.get(leased)) {
                for (int i = 0; i < 8; i++) {
                    spawn(p, source.add("other-" + i, 4 * MIB));
                    assertThat(p.open(pinned)).as("pinned model resident").hasValueSatisfying(Lease::close);
                    assertThat(FakeStore.matches(held.bytes(), source.describe(leased))).isTrue();
                }
                assertThat(p.open(leased)).as("leased model resident").hasValueSatisfying(Lease::close);
            }
            assertThat(p.stats().cache().usedBytes()).isLessThanOrEqualTo(BUDGET);
        }
        assertThat(store.liveRegions()).isZero();
    }

    @Test
    void reportsItsNameInTheStats() {
        source.add("m", MIB);
        try (ModelPreloader p = preloader(new CaffeineEvictionPolicy(BUDGET))) {
            assertThat(p.stats().cache().policy()).isEqualTo("caffeine");
        }
    }
}
