package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A synthetic request trace of worker spawns: which model each spawn asks for, in order. A catalog of models whose
 * sizes are spread log-uniformly over {@code [minGb, maxGb]}; spawns pick a catalog model by Zipf popularity, and the
 * popular models change at each phase; every {@code scanEvery} spawns, a scan of {@code scanLength} one-off models
 * (asked for once, never again) passes through. Deterministic for a seed.
 *
 * @param spawns  the model of each spawn, in order
 * @param models  every model the trace names, catalog and one-offs
 * @param oneOffs how many spawns ask for a one-off model
 */
public record Trace(List<ModelId> spawns, Map<ModelId, ModelDescriptor> models, int oneOffs, Shape shape) {

    /** What a trace is made of. */
    public record Shape(int spawns, int catalog, double zipf, double minGb, double maxGb, int phase, int scanEvery,
                        int scanLength, long seed) {

        /** The default trace of {@code bench/policy-trace.sh}. */
        public static Shape standard() {
            return new Shape(40_000, 200, 1.0, 0.5, 40, 5_000, 1_000, 25, 42);
        }

        /** The same trace but for these three traits: how often the popular set changes, and the scans. */
        public Shape with(int spawns, int phase, int scanEvery, int scanLength) {
            return new Shape(spawns, catalog, zipf, minGb, maxGb, phase, scanEvery, scanLength, seed);
        }

        public String describe() {
            return String.format("%,d spawns; %d models of %.1f–%.0f GB (log-uniform), Zipf s=%.1f, popular set redrawn every %,d spawns;"
                    + " a scan of %d one-off models every %,d spawns; seed %d", spawns, catalog, minGb, maxGb, zipf, phase,
                    scanLength, scanEvery, seed);
        }
    }

    public static Trace generate(Shape shape) {
        SplittableRandom random = new SplittableRandom(shape.seed());
        Map<ModelId, ModelDescriptor> models = new LinkedHashMap<>();
        List<ModelId> catalog = new ArrayList<>();
        for (int i = 0; i < shape.catalog(); i++) {
            ModelId id = ModelId.of(String.format("model-%03d", i));
            models.put(id, descriptor(id, size(random, shape), i));
            catalog.add(id);
        }
        Zipf zipf = new Zipf(shape.catalog(), shape.zipf());
        List<ModelId> spawns = new ArrayList<>(shape.spawns() + shape.spawns() / shape.scanEvery() * shape.scanLength());
        int[] rankToModel = permutation(shape.catalog(), random);
        int oneOffs = 0;
        for (int n = 0; n < shape.spawns(); n++) {
            if (n > 0 && n % shape.phase() == 0) {
                rankToModel = permutation(shape.catalog(), random);
            }
            if (n > 0 && n % shape.scanEvery() == 0) {
                for (int s = 0; s < shape.scanLength(); s++) {
                    ModelId id = ModelId.of("one-off-" + oneOffs);
                    models.put(id, descriptor(id, size(random, shape), shape.catalog() + oneOffs));
                    spawns.add(id);
                    oneOffs++;
                }
            }
            spawns.add(catalog.get(rankToModel[zipf.sample(random)]));
        }
        return new Trace(List.copyOf(spawns), Map.copyOf(models), oneOffs, shape);
    }

    /** Bytes of all the spawns: what loading every spawn from disk would read. */
    public long totalBytes() {
        return spawns.stream().mapToLong(id -> models.get(id).size()).sum();
    }

    private static long size(SplittableRandom random, Shape shape) {
        double logMin = Math.log(shape.minGb());
        double logMax = Math.log(shape.maxGb());
        return (long) (Math.exp(logMin + random.nextDouble() * (logMax - logMin)) * 1e9);
    }

    private static ModelDescriptor descriptor(ModelId id, long size, int inode) {
        return new ModelDescriptor(id, Path.of("/trace", id + ".gguf"), new Fingerprint(size, 0, inode));
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
