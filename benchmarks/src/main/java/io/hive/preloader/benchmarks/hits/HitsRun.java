package io.hive.preloader.benchmarks.hits;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the hit and stats benchmarks with JMH's gc profiler and prints one table last: JMH's sampled p50 / p99 /
 * p99.9, the exact maximum and count of hits over 5 ms (every hit is timed), bytes allocated per operation, and how
 * many large releases happened meanwhile; then each churn run against the idle run of the same thread count, a line
 * each. Usage: {@code HitsRun [WARMUP_S] [MEASURE_S] [CHURNS] [THREADS]}, e.g. {@code 5 15 idle,2GiB,8GiB 1,8}.
 */
public final class HitsRun {
    private HitsRun() {
    }

    record Row(String benchmark, String churn, Statistics sampled, double bytesPerOp, long hits, long slow, long maxNanos,
               long releases) {
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String[] churns = (args.length > 2 ? args[2] : "idle,2GiB,8GiB").split(",");
        List<String> threads = List.of((args.length > 3 ? args[3] : "1,8").split(","));
        Path out = Files.createTempDirectory("preloader-hits-");
        List<String> jvm = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-Xmx1g", "-Dhits.out=" + out, "-Dhits.dir=" + BenchFiles.directory()));
        // More flags for the forked JVMs, e.g. HITS_JVM_ARGS="-Xlog:safepoint:file=/tmp/safepoints.log" to see pauses.
        String extra = System.getenv().getOrDefault("HITS_JVM_ARGS", "").strip();
        if (!extra.isEmpty()) {
            jvm.addAll(List.of(extra.split("\\s+")));
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .param("churn", churns)
                .warmupIterations(1).warmupTime(TimeValue.seconds(warmup))
                .measurementIterations(1).measurementTime(TimeValue.seconds(measure))
                .forks(1)
                .jvmArgsAppend(jvm.toArray(String[]::new))
                .addProfiler(GCProfiler.class);
        for (String t : threads) {
            options.include(HitBenchmark.class.getName() + ".hit" + t.strip() + "$");
        }
        options.include(StatsBenchmark.class.getName() + ".stats$");
        Collection<RunResult> results = new Runner(options.build()).run();
        print(rows(results, out));
    }

    private static List<Row> rows(Collection<RunResult> results, Path out) throws IOException {
        Map<String, String[]> tallies = new HashMap<>();
        Path file = out.resolve("tally.tsv");
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                tallies.put(f[0], f);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            String churn = Optional.ofNullable(r.getParams().getParam("churn")).orElse("-");
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            String[] t = tallies.get(method + " " + churn);
            rows.add(new Row(method, churn, r.getPrimaryResult().getStatistics(), alloc == null ? Double.NaN : alloc.getScore(),
                    t == null ? -1 : Long.parseLong(t[1]), t == null ? -1 : Long.parseLong(t[2]),
                    t == null ? -1 : Long.parseLong(t[3]), t == null ? -1 : Long.parseLong(t[4])));
        }
        return rows;
    }

    private static void print(List<Row> rows) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-7s %-6s %9s %9s %10s %12s %11s %9s %8s %9s%n", "bench", "churn", "p50 ns", "p99 ns",
                "p99.9 ns", "max µs", "hits", ">5 ms", "B/op", "releases");
        for (Row r : rows) {
            double max = r.maxNanos() >= 0 ? r.maxNanos() : r.sampled().getMax();
            System.out.printf(Locale.ROOT, "%-7s %-6s %9.0f %9.0f %10.0f %12.1f %11s %9s %8.1f %9s%n", r.benchmark(), r.churn(),
                    r.sampled().getPercentile(50), r.sampled().getPercentile(99), r.sampled().getPercentile(99.9), max / 1e3,
                    count(r.hits()), count(r.slow()), r.bytesPerOp(), count(r.releases()));
        }
        for (Row r : rows) {
            rows.stream().filter(idle -> idle.benchmark().equals(r.benchmark()) && idle.churn().equals("idle") && r != idle).findFirst()
                    .ifPresent(idle -> System.out.printf(Locale.ROOT, "%s %s / idle: p99 %.2f, max %.2f, hits over 5 ms %d vs %d%n",
                            r.benchmark(), r.churn(), r.sampled().getPercentile(99) / idle.sampled().getPercentile(99),
                            (double) r.maxNanos() / Math.max(1, idle.maxNanos()), r.slow(), idle.slow()));
        }
    }

    private static String count(long n) {
        return n < 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
    }
}
