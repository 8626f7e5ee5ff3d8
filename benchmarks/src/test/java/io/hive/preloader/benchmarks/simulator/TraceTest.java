package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class TraceTest {
    private static final Trace.Shape SMALL = new Trace.Shape(5_000, 50, 1.0, 0.5, 40, 1_000, 500, 10, 7);

    @Test
    void isTheSameTraceForTheSameSeed() {
        assertThat(Trace.generate(SMALL)).isEqualTo(Trace.generate(SMALL));
        assertThat(Trace.generate(SMALL).spawns())
                .isNotEqualTo(Trace.generate(new Trace.Shape(5_000, 50, 1.0, 0.5, 40, 1_000, 500, 10, 8)).spawns());
    }

    @Test
    void hasTheCatalogSpawnsPlusTheScans() {
        Trace trace = Trace.generate(SMALL);

        assertThat(trace.oneOffs()).isEqualTo(9 * 10); // a scan every 500 spawns, none before the first
        assertThat(trace.spawns()).hasSize(5_000 + trace.oneOffs());
        assertThat(trace.models()).hasSize(50 + trace.oneOffs());
    }

    @Test
    void sizesModelsBetweenHalfAGigabyteAndFortyGigabytes() {
        Trace trace = Trace.generate(SMALL);

        assertThat(trace.models().values()).allSatisfy(m -> assertThat(m.size()).isBetween(500_000_000L, 40_000_000_000L));
        assertThat(trace.models().values().stream().mapToLong(ModelDescriptor::size).min().orElseThrow()).isLessThan(2_000_000_000L);
        assertThat(trace.models().values().stream().mapToLong(ModelDescriptor::size).max().orElseThrow()).isGreaterThan(20_000_000_000L);
    }

    @Test
    void asksForEachOneOffOnceAndForPopularModelsOften() {
        Map<ModelId, Long> counts = Trace.generate(SMALL).spawns().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        assertThat(counts).allSatisfy((id, n) -> {
            if (id.value().startsWith("one-off-")) {
                assertThat(n).as("spawns of %s", id).isEqualTo(1);
            }
        });
        assertThat(counts.values().stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(200); // twice the 100 of a uniform choice
    }

    @Test
    void zipfFavoursTheFirstRanksInProportion() {
        Zipf zipf = new Zipf(100, 1.0);
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[100];
        for (int i = 0; i < 200_000; i++) {
            counts[zipf.sample(random)]++;
        }

        assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[9]);
        assertThat((double) counts[0] / counts[1]).isBetween(1.8, 2.2); // 1/1 against 1/2
        assertThat((double) counts[0] / counts[9]).isBetween(8.0, 12.0); // 1/1 against 1/10
    }
}
