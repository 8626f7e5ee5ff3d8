package io.hive.preloader.benchmarks.simulator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyTraceTest {

    @Test
    void printsTheTableThenEachRatioToLruOnALineOfItsOwn() {
        Trace trace = Trace.generate(new Trace.Shape(2_000, 40, 1.0, 0.5, 40, 1_000, 500, 5, 3));
        long budget = 64L << 30;
        List<Replay.Result> results = PolicyTrace.POLICIES.values().stream().map(p -> Replay.run(trace, budget, p)).toList();

        List<String> lines = PolicyTrace.report(trace, results).lines().toList();

        int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("budget")).findFirst().orElseThrow());
        assertThat(lines.subList(header + 1, header + 4)).satisfiesExactly(
                l -> assertThat(l).startsWith("64 GiB   lru"),
                l -> assertThat(l).startsWith("64 GiB   lfu"),
                l -> assertThat(l).startsWith("64 GiB   caffeine"));
        assertThat(lines.subList(header + 4, lines.size())).satisfiesExactly(
                l -> assertThat(l).matches("ratio lfu / lru at 64 GiB: read from disk \\d+\\.\\d{3}, hit rate \\d+\\.\\d{3}"),
                l -> assertThat(l).matches("ratio caffeine / lru at 64 GiB: read from disk \\d+\\.\\d{3}, hit rate \\d+\\.\\d{3}"));
    }
}
