package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.adapters.caffeine.CaffeineEvictionPolicy;
import io.hive.preloader.core.cache.LfuPolicy;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.port.EvictionPolicy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Replays the standard spawn trace against LRU, LFU and the Caffeine policy at several budgets, and prints the hit
 * rate and the bytes read from disk of each, the table last, then each policy's ratio to LRU (the reference) on a
 * line of its own.
 *
 * <pre>PolicyTrace [SPAWNS (default 40000)] [BUDGETS in GiB, comma-separated (default 64,128,256)]</pre>
 */
public final class PolicyTrace {
    private static final long GIB = 1L << 30;

    /** The policies compared, the reference first. */
    static final Map<String, LongFunction<EvictionPolicy>> POLICIES = policies();

    private PolicyTrace() {
    }

    private static Map<String, LongFunction<EvictionPolicy>> policies() {
        Map<String, LongFunction<EvictionPolicy>> p = new LinkedHashMap<>();
        p.put("lru", budget -> new LruPolicy());
        p.put("lfu", budget -> new LfuPolicy());
        p.put("caffeine", CaffeineEvictionPolicy::new);
        return p;
    }

    public static void main(String[] args) {
        Trace.Shape standard = Trace.Shape.standard();
        int spawns = args.length > 0 ? Integer.parseInt(args[0]) : standard.spawns();
        long[] budgets = args.length > 1
                ? Arrays.stream(args[1].split(",")).mapToLong(b -> Long.parseLong(b.strip()) * GIB).toArray()
                : new long[]{64 * GIB, 128 * GIB, 256 * GIB};
        Trace.Shape shape = standard.with(spawns, standard.phase(), standard.scanEvery(), standard.scanLength());
        Trace trace = Trace.generate(shape);

        // The same trace without one trait or another, at the middle budget: where each policy's strength comes from.
        long middle = budgets[budgets.length / 2];
        System.out.printf(Locale.ROOT, "variants at %d GiB, read from disk in TB: %s%n", middle / GIB, String.join(" / ", POLICIES.keySet()));
        Map<String, Trace.Shape> variants = new LinkedHashMap<>();
        variants.put("popular set fixed, no scans", standard.with(spawns, spawns, spawns + 1, 0));
        variants.put("popular set fixed, with scans", standard.with(spawns, spawns, standard.scanEvery(), standard.scanLength()));
        variants.put("popular set redrawn, no scans", standard.with(spawns, standard.phase(), spawns + 1, 0));
        for (Map.Entry<String, Trace.Shape> variant : variants.entrySet()) {
            Trace t = Trace.generate(variant.getValue());
            List<String> disk = POLICIES.values().stream()
                    .map(p -> String.format(Locale.ROOT, "%.1f", Replay.run(t, middle, p).bytesFromDisk() / 1e12)).toList();
            System.out.printf(Locale.ROOT, "  %-32s %s%n", variant.getKey(), String.join(" / ", disk));
        }
        System.out.println();

        List<Replay.Result> results = new ArrayList<>();
        for (long budget : budgets) {
            for (Map.Entry<String, LongFunction<EvictionPolicy>> policy : POLICIES.entrySet()) {
                results.add(Replay.run(trace, budget, policy.getValue()));
            }
        }
        System.out.print(report(trace, results));
    }

    /** The report: what the trace is, the table, then each policy's ratios to LRU, one per line. */
    static String report(Trace trace, List<Replay.Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("trace: ").append(trace.shape().describe()).append('\n');
        out.append(String.format(Locale.ROOT, "%,d spawns in all, %,d of them one-offs; %.1f TB asked for%n", trace.spawns().size(),
                trace.oneOffs(), trace.totalBytes() / 1e12));
        out.append("replayed through core's ModelCache with a store that allocates nothing; hit = a spawn served from RAM\n\n");
        out.append(String.format(Locale.ROOT, "%-8s %-9s %9s %15s %10s%n", "budget", "policy", "hit rate", "read from disk", "evictions"));
        for (Replay.Result r : results) {
            out.append(String.format(Locale.ROOT, "%-8s %-9s %8.1f%% %12.1f TB %,10d%n", r.budget() / GIB + " GiB", r.policy(),
                    100 * r.hitRate(), r.bytesFromDisk() / 1e12, r.evictions()));
        }
        for (Replay.Result r : results) {
            if (r.policy().equals("lru")) {
                continue;
            }
            Replay.Result lru = results.stream().filter(x -> x.budget() == r.budget() && x.policy().equals("lru")).findFirst().orElseThrow();
            out.append(String.format(Locale.ROOT, "ratio %s / lru at %d GiB: read from disk %.3f, hit rate %.3f%n", r.policy(),
                    r.budget() / GIB, (double) r.bytesFromDisk() / lru.bytesFromDisk(), r.hitRate() / lru.hitRate()));
        }
        return out.toString();
    }
}
