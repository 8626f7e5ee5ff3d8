package io.hive.preloader.adapters.caffeine;

import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the Caffeine policy proposes, given what the cache told it: a specification by example. */
class CaffeineEvictionPolicyTest {
    private static final long GIB = 1L << 30;
    private static final ModelId POPULAR = ModelId.of("popular");
    private static final ModelId STEADY = ModelId.of("steady");
    private static final ModelId ONE_OFF = ModelId.of("one-off");

    /** A budget of 10 GiB holding models of 3 GiB: full enough that W-TinyLFU counts frequencies. */
    private final CaffeineEvictionPolicy policy = new CaffeineEvictionPolicy(10 * GIB);

    private static void use(EvictionPolicy policy, ModelId id, int times) {
        for (int i = 0; i < times; i++) {
            policy.accessed(id);
        }
    }

    @Test
    void isNamedCaffeine() {
        assertThat(policy.name()).isEqualTo("caffeine");
    }

    @Test
    void proposesNothingWhenNothingIsResident() {
        assertThat(policy.victim(id -> true)).isEmpty();
    }

    @Test
    void proposesNothingWhenNothingIsEvictable() {
        policy.admitted(POPULAR, 3 * GIB);
        policy.admitted(STEADY, 3 * GIB);

        assertThat(policy.victim(id -> false)).isEmpty();
    }

    @Test
    void neverProposesAModelTheCacheSaysIsPinnedLeasedOrLoading() {
        policy.admitted(POPULAR, 3 * GIB);
        policy.admitted(STEADY, 3 * GIB);
        policy.admitted(ONE_OFF, 3 * GIB);
        use(policy, POPULAR, 20);

        // The cold one-off is leased: the next coldest evictable model goes instead.
        assertThat(policy.victim(id -> !id.equals(ONE_OFF))).contains(STEADY);
        assertThat(policy.victim(POPULAR::equals)).contains(POPULAR);
    }

    @Test
    void dropsAOneOffBeforeAModelInSteadyUseWhereLruDropsTheSteadyOne() {
        EvictionPolicy lru = new LruPolicy();
        for (EvictionPolicy p : List.of(policy, lru)) {
            p.admitted(POPULAR, 3 * GIB);
            p.admitted(STEADY, 3 * GIB);
            use(p, POPULAR, 10);
            use(p, STEADY, 10);
            p.admitted(ONE_OFF, 3 * GIB); // a model asked for once, most recently
            use(p, POPULAR, 1);
        }

        assertThat(policy.victim(id -> true)).contains(ONE_OFF);
        assertThat(lru.victim(id -> true)).as("LRU, for contrast").contains(STEADY);
    }

    @Test
    void learnsWhichModelsArePopularWhileTheCacheIsStillMostlyEmpty() {
        // Caffeine alone counts nothing until its entries weigh half its maximum: two models of a 40 GiB budget.
        CaffeineEvictionPolicy roomy = new CaffeineEvictionPolicy(40 * GIB);
        roomy.admitted(POPULAR, 3 * GIB);
        roomy.admitted(STEADY, 3 * GIB);
        use(roomy, POPULAR, 10);
        use(roomy, STEADY, 10);

        roomy.admitted(ONE_OFF, 3 * GIB);

        assertThat(roomy.victim(id -> true)).contains(ONE_OFF);
    }

    @Test
    void countsTheRequestThatLoadedAModelOnceNotTwice() {
        // The cache leases a model it has just loaded for the request that loaded it: admitted, then accessed.
        policy.admitted(POPULAR, 3 * GIB);
        use(policy, POPULAR, 1);
        use(policy, POPULAR, 5);
        policy.admitted(ONE_OFF, 3 * GIB);
        use(policy, ONE_OFF, 1);
        policy.admitted(STEADY, 3 * GIB);
        use(policy, STEADY, 1);

        // Had the one-off's own access counted as a second use, it would have been promoted over the steady model.
        assertThat(policy.victim(id -> !id.equals(POPULAR))).contains(ONE_OFF);
    }

    @Test
    void remembersHowOftenAModelWasUsedAcrossItsEviction() {
        policy.admitted(POPULAR, 3 * GIB);
        policy.admitted(STEADY, 3 * GIB);
        use(policy, POPULAR, 15);
        use(policy, STEADY, 15);
        policy.removed(POPULAR); // evicted, e.g. by an operator

        policy.admitted(ONE_OFF, 3 * GIB);
        policy.admitted(POPULAR, 3 * GIB); // asked for again: more recent than the one-off

        assertThat(policy.victim(id -> true)).contains(ONE_OFF);
    }

    @Test
    void neverProposesAModelThatWasRemoved() {
        policy.admitted(POPULAR, 3 * GIB);
        policy.admitted(ONE_OFF, 3 * GIB);

        policy.removed(ONE_OFF);

        assertThat(policy.victim(id -> true)).contains(POPULAR);
        policy.removed(POPULAR);
        assertThat(policy.victim(id -> true)).isEmpty();
    }

    @Test
    void keepsRankingEveryResidentModelWhenMoreIsResidentThanTheBudgetItWasGiven() {
        // The budget was raised after the policy was made: Caffeine must not drop models on its own.
        CaffeineEvictionPolicy small = new CaffeineEvictionPolicy(GIB);
        List<ModelId> models = List.of(ModelId.of("a"), ModelId.of("b"), ModelId.of("c"), ModelId.of("d"));
        for (ModelId id : models) {
            small.admitted(id, GIB);
        }

        List<ModelId> proposed = new ArrayList<>();
        for (Optional<ModelId> v = small.victim(id -> true); v.isPresent(); v = small.victim(id -> true)) {
            proposed.add(v.get());
            small.removed(v.get());
        }

        assertThat(proposed).containsExactlyInAnyOrderElementsOf(models);
    }

    @Test
    void weighsModelsOfTensOfGigabytesWithoutOverflow() {
        CaffeineEvictionPolicy large = new CaffeineEvictionPolicy(512 * GIB);
        ModelId huge = ModelId.of("llama-405b"), big = ModelId.of("llama-70b");
        large.admitted(huge, 230 * GIB);
        large.admitted(big, 40 * GIB);

        // Weighed in bytes as an int, 230 GiB would wrap negative and Caffeine would refuse it or never rank it.
        assertThat(CaffeineEvictionPolicy.units(230 * GIB)).isEqualTo(230 * 1024);
        assertThat(large.victim(huge::equals)).contains(huge);
        assertThat(large.victim(big::equals)).contains(big);
        List<ModelId> proposed = new ArrayList<>();
        for (Optional<ModelId> v = large.victim(id -> true); v.isPresent(); v = large.victim(id -> true)) {
            proposed.add(v.get());
            large.removed(v.get());
        }
        assertThat(proposed).as("both ranked, each proposed once").containsExactlyInAnyOrder(huge, big);
    }

    @ParameterizedTest(name = "{0} bytes weigh {1} MiB")
    @CsvSource({"0, 1", "1, 1", "1048576, 1", "1048577, 2", "42949672960, 40960", "2251799812636672, 2147483647"})
    void weighsInWholeMibRoundedUp(long bytes, int units) {
        assertThat(CaffeineEvictionPolicy.units(bytes)).isEqualTo(units);
    }

    @Test
    void refusesAWeightBeyondWhatCaffeineCanHold() {
        assertThatThrownBy(() -> CaffeineEvictionPolicy.units(Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than Caffeine can weigh");
    }

    @Test
    void refusesABudgetOfNothing() {
        assertThatThrownBy(() -> new CaffeineEvictionPolicy(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("budget must be positive, got 0 bytes");
    }
}
