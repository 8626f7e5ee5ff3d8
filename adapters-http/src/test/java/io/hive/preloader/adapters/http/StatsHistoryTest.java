package io.hive.preloader.adapters.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The history's ring: bounded, oldest first, its rates from the counters' increases, and a counter that starts again. */
class StatsHistoryTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final long GB = 1_000_000_000L;

    @Test
    void shouldKeepOnlyTheLastPointsOldestFirst() {
        StatsHistory history = new StatsHistory(3);
        for (int i = 0; i < 5; i++) {
            history.record(sample(i, 10L * i, 0, Moved.NOTHING, Moved.NOTHING));
        }

        List<StatsHistory.Point> points = history.points();

        assertThat(points).extracting(StatsHistory.Point::at)
                .containsExactly(at(2).toString(), at(3).toString(), at(4).toString());
        assertThat(points).extracting(StatsHistory.Point::hits).containsExactly(10L, 10L, 10L);
        assertThat(history.capacity()).isEqualTo(3);
    }

    @Test
    void shouldGiveTheFirstSampleItsLevelsAndNoRates() {
        StatsHistory history = new StatsHistory(4);
        assertThat(history.points()).isEmpty();

        history.record(sample(0, 500, 100, new Moved(9 * GB, 3_000_000_000L), new Moved(GB, 100_000_000L)));

        StatsHistory.Point first = history.points().getFirst();
        assertThat(first.seconds()).isZero();
        assertThat(first.hits()).isZero();
        assertThat(first.misses()).isZero();
        assertThat(first.hitRate()).isNull();
        assertThat(first.loadedBytes()).isZero();
        assertThat(first.loadGigabytesPerSecond()).isNull();
        assertThat(first.transferGigabytesPerSecond()).isNull();
        assertThat(first.residentBytes()).isEqualTo(6 * GB);
        assertThat(first.budgetBytes()).isEqualTo(16 * GB);
    }

    @Test
    void shouldComputeTheRatesOfEachIntervalFromTheCountersIncreases() {
        StatsHistory history = new StatsHistory(8);
        history.record(sample(0, 10, 10, new Moved(GB, 1_000_000_000L), new Moved(0, 0)));
        // 3 hits and 1 miss; 6 GB loaded in 2 s of loading; 11 GB copied in 0.2 s
        history.record(sample(1, 13, 11, new Moved(7 * GB, 3_000_000_000L), new Moved(11 * GB, 200_000_000L)));
        // nothing happened
        history.record(sample(2, 13, 11, new Moved(7 * GB, 3_000_000_000L), new Moved(11 * GB, 200_000_000L)));

        List<StatsHistory.Point> points = history.points();

        StatsHistory.Point busy = points.get(1);
        assertThat(busy.seconds()).isEqualTo(2.0);
        assertThat(busy.hits()).isEqualTo(3);
        assertThat(busy.misses()).isEqualTo(1);
        assertThat(busy.hitRate()).isEqualTo(0.75);
        assertThat(busy.loadedBytes()).isEqualTo(6 * GB);
        assertThat(busy.loadGigabytesPerSecond()).isCloseTo(3.0, within(1e-9));
        assertThat(busy.transferredBytes()).isEqualTo(11 * GB);
        assertThat(busy.transferGigabytesPerSecond()).isCloseTo(55.0, within(1e-9));
        StatsHistory.Point quiet = points.get(2);
        assertThat(quiet.hits()).isZero();
        assertThat(quiet.hitRate()).as("no access, no rate").isNull();
        assertThat(quiet.loadedBytes()).isZero();
        assertThat(quiet.loadGigabytesPerSecond()).isNull();
        assertThat(quiet.transferGigabytesPerSecond()).isNull();
    }

    @Test
    void shouldCountACounterThatWentDownAsStartedAgain() {
        StatsHistory history = new StatsHistory(8);
        history.record(sample(0, 1_000, 200, new Moved(50 * GB, 20_000_000_000L), new Moved(30 * GB, 1_000_000_000L)));
        // every counter started again and counted these since
        history.record(sample(1, 4, 1, new Moved(2 * GB, 1_000_000_000L), new Moved(GB, 50_000_000L)));

        StatsHistory.Point reset = history.points().getLast();

        assertThat(reset.hits()).isEqualTo(4);
        assertThat(reset.misses()).isEqualTo(1);
        assertThat(reset.hitRate()).isEqualTo(0.8);
        assertThat(reset.loadedBytes()).isEqualTo(2 * GB);
        assertThat(reset.loadGigabytesPerSecond()).isCloseTo(2.0, within(1e-9));
        assertThat(reset.transferGigabytesPerSecond()).isCloseTo(20.0, within(1e-9));
    }

    @Test
    void shouldPairBytesWithTheirOwnTimeAcrossAReset() {
        // Bytes went up while the time went down: the pair started again, never bytes of one run over time of another.
        Moved reset = new Moved(12 * GB, 2_000_000_000L).since(new Moved(10 * GB, 5_000_000_000L));

        assertThat(reset).isEqualTo(new Moved(12 * GB, 2_000_000_000L));
        assertThat(new Moved(12 * GB, 7_000_000_000L).since(new Moved(10 * GB, 5_000_000_000L))).isEqualTo(new Moved(2 * GB, 2_000_000_000L));
        assertThat(Moved.NOTHING.plus(3 * GB, Duration.ofMillis(1500)).gigabytesPerSecond()).isCloseTo(2.0, within(1e-9));
    }

    @Test
    void shouldRefuseAnEmptyRing() {
        assertThatThrownBy(() -> new StatsHistory(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one");
    }

    private static Instant at(int i) {
        return T0.plusSeconds(2L * i);
    }

    private static StatsHistory.Sample sample(int i, long hits, long misses, Moved loaded, Moved transferred) {
        return new StatsHistory.Sample(at(i), hits, misses, 6 * GB, 7 * GB, 16 * GB, loaded, transferred);
    }
}
