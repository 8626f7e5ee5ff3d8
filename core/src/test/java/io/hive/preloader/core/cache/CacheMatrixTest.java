package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cache's invariants over a matrix of budget × policy × model sizes, replaying a seeded random trace of
 * gets, preloads, evictions and pins: what is held never exceeds the budget, what the cache counts is what the
 * store holds, and every lease reads its model's exact bytes.
 */
class CacheMatrixTest {
    static final long KiB = 1024;

    enum Sizes {
        EQUAL(() -> new long[]{256 * KiB, 256 * KiB, 256 * KiB, 256 * KiB, 256 * KiB, 256 * KiB}),
        MIXED(() -> new long[]{64 * KiB, 128 * KiB, 512 * KiB, 768 * KiB, 96 * KiB, 333 * KiB + 7}),
        ONE_GIANT(() -> new long[]{900 * KiB, 16 * KiB, 16 * KiB, 32 * KiB, 48 * KiB, 64 * KiB});

        final Supplier<long[]> sizes;

        Sizes(Supplier<long[]> sizes) {
            this.sizes = sizes;
        }
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (long budget : new long[]{300 * KiB, 1024 * KiB, 4096 * KiB}) {
            for (String policy : List.of("lru", "lfu")) {
                for (Sizes sizes : Sizes.values()) {
                    cases.add(Arguments.of(budget, policy, sizes));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "budget {0} B, {1}, {2} sizes")
    @MethodSource("matrix")
    void holdsTheInvariantsOverASeededTrace(long budget, String policyName, Sizes sizes) {
        FakeSource source = new FakeSource();
        FakeStore store = new FakeStore();
        long[] s = sizes.sizes.get();
        List<ModelId> ids = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            ids.add(source.add("m" + i, s[i]));
        }
        EvictionPolicy policy = policyName.equals("lru") ? new LruPolicy() : new LfuPolicy();
        Random random = new Random(budget ^ s.length ^ policyName.hashCode());
        int served = 0;
        int refused = 0;
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).policy(policy).budget(new ByteBudget(budget)).build()) {
            for (int step = 0; step < 300; step++) {
                ModelId id = ids.get(random.nextInt(ids.size()));
                int op = random.nextInt(10);
                try {
                    if (op < 6) {
                        try (Lease lease = p.get(id)) {
                            assertThat(FakeStore.matches(lease.bytes(), source.describe(id))).as("bytes of %s", id).isTrue();
                            served++;
                        }
                    } else if (op < 8) {
                        p.preload(id).join();
                    } else if (op < 9) {
                        p.evict(id);
                    } else if (random.nextBoolean()) {
                        p.pin(id).join();
                    } else {
                        p.unpin(id);
                    }
                } catch (BudgetExceededException | java.util.concurrent.CompletionException e) {
                    refused++;
                    assertThat(e).satisfiesAnyOf(
                            x -> assertThat(x).isInstanceOf(BudgetExceededException.class),
                            x -> assertThat(x.getCause()).isInstanceOf(BudgetExceededException.class));
                } catch (IllegalStateException pinned) {
                    assertThat(pinned).hasMessageContaining("is pinned");
                }
                CacheSnapshot snapshot = p.stats().cache();
                assertThat(snapshot.usedBytes()).as("step %d", step).isLessThanOrEqualTo(budget);
                assertThat(store.liveBytes()).as("store holds what the cache counts").isEqualTo(snapshot.usedBytes());
                assertThat(snapshot.entries().stream().mapToLong(CacheSnapshot.Entry::bytes).sum()).isEqualTo(snapshot.usedBytes());
            }
        }
        assertThat(store.liveRegions()).isZero();
        assertThat(served + refused).isPositive();
        if (budget >= 4096 * KiB) {
            assertThat(refused).as("everything fits in the largest budget").isZero();
        }
    }
}
