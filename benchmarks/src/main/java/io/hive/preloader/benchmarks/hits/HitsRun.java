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
 * p99.9, the exact maximum and count of hits over 5 ms (every hit of the measurement iterations is timed), bytes
 * allocated per operation, and how many large models were released in the measurement window; then what the tally
 * adds to each hit (measured apart), and each churn run against the idle run of the same threads and policy, a line
 * each. Usage: {@code HitsRun [WARMUP_S] [MEASURE_S] [CHURNS] [THREADS] [POLICIES] [ITERATIONS]}, e.g.
 * {@code 5 15 idle,2GiB,8GiB 1,8 caffeine,lru 3}: each of the ITERATIONS warm-up and measurement iterations lasts
 * WARMUP_S or MEASURE_S seconds.
 */
public final class HitsRun {
    private HitsRun() {
    }

    record Row(String benchmark, String churn, String policy, Statistics sampled, double bytesPerOp, long hits, long slow,
               long maxNanos, long releases) {
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String[] churns = (args.length > 2 ? args[2] : "idle,2GiB,8GiB").split(",");
        List<String> threads = List.of((args.length > 3 ? args[3] : "1,8").split(","));
        String[] policies = (args.length > 4 ? args[4] : "caffeine,lru").split(",");
        int iterations = args.length > 5 ? Integer.parseInt(args[5]) : 3;
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
                .param("policy", policies)
                .warmupIterations(iterations).warmupTime(TimeValue.seconds(warmup))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(measure))
                .forks(1)
                .jvmArgsAppend(jvm.toArray(String[]::new))
                .addProfiler(GCProfiler.class);
        for (String t : threads) {
            options.include(HitBenchmark.class.getName() + ".hit" + t.strip() + "$");
        }
        options.include(StatsBenchmark.class.getName() + ".stats$");
        Collection<RunResult> results = new Runner(options.build()).run();
        RunResult tally = new Runner(new OptionsBuilder().include(TallyCost.class.getName() + ".tally$")
                .warmupIterations(1).warmupTime(TimeValue.seconds(1)).measurementIterations(3).measurementTime(TimeValue.seconds(1))
                .forks(1).jvmArgsAppend(jvm.toArray(String[]::new)).build()).runSingle();
        print(rows(results, out), tally.getPrimaryResult().getScore());
    }

    private static List<Row> rows(Collection<RunResult> results, Path out) throws IOException {
        // Summed over the measurement iterations of each trial (one line per iteration); the maximum is the largest.
        Map<String, long[]> tallies = new HashMap<>();
        Path file = out.resolve("tally.tsv");
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split("\t");
                long[] sum = tallies.computeIfAbsent(f[0], k -> new long[4]);
                sum[0] += Long.parseLong(f[1]);
                sum[1] += Long.parseLong(f[2]);
                sum[2] = Math.max(sum[2], Long.parseLong(f[3]));
                sum[3] += Long.parseLong(f[4]);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
            String churn = Optional.ofNullable(r.getParams().getParam("churn")).orElse("-");
            String policy = Optional.ofNullable(r.getParams().getParam("policy")).orElse("-");
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            long[] t = tallies.getOrDefault(method + " " + churn + " " + policy, new long[]{-1, -1, -1, -1});
            rows.add(new Row(method, churn, policy, r.getPrimaryResult().getStatistics(), alloc == null ? Double.NaN : alloc.getScore(),
                    t[0], t[1], t[2], t[3]));
        }
        return rows;
    }

    private static void print(List<Row> rows, double tallyNanos) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-7s %-6s %-8s %9s %9s %10s %12s %11s %9s %8s %9s%n", "bench", "churn", "policy", "p50 ns",
                "p99 ns", "p99.9 ns", "max µs", "hits", ">5 ms", "B/op", "releases");
        for (Row r : rows) {
            double max = r.maxNanos() >= 0 ? r.maxNanos() : r.sampled().getMax();
            System.out.printf(Locale.ROOT, "%-7s %-6s %-8s %9.0f %9.0f %10.0f %12.1f %11s %9s %8.1f %9s%n", r.benchmark(), r.churn(),
                    r.policy(), r.sampled().getPercentile(50), r.sampled().getPercentile(99), r.sampled().getPercentile(99.9), max / 1e3,
                    count(r.hits()), count(r.slow()), r.bytesPerOp(), count(r.releases()));
        }
        System.out.printf(Locale.ROOT, "tally: %.0f ns of each hit row's sampled time is the tally's (two clock reads and a record, measured apart)%n",
                tallyNanos);
        for (Row r : rows) {
            rows.stream().filter(idle -> idle.benchmark().equals(r.benchmark()) && idle.policy().equals(r.policy())
                            && idle.churn().equals("idle") && r != idle).findFirst()
                    .ifPresent(idle -> System.out.printf(Locale.ROOT, "%s %s %s / idle: p99 %.2f, max %.2f, hits over 5 ms %d vs %d%n",
                            r.benchmark(), r.churn(), r.policy(), r.sampled().getPercentile(99) / idle.sampled().getPercentile(99),
                            (double) r.maxNanos() / Math.max(1, idle.maxNanos()), r.slow(), idle.slow()));
        }
    }

    private static String count(long n) {
        return n < 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
    }
}
