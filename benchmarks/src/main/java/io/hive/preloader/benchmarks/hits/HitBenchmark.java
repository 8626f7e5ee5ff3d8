package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.adapters.caffeine.CaffeineEvictionPolicy;
import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;
import io.hive.preloader.core.service.ModelPreloader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A hit as a hive makes it: {@code open} of a small resident model and {@code close} of its lease, through the
 * README's embedding API only (so that the same source runs against an older checkout). {@code churn} is
 * {@code idle}, or the size of two other models that take turns in the budget while {@code stats()} is read 20 times
 * a second ({@link Churn}); {@code policy} is the daemon's default (Caffeine, whose maintenance may run on a hitting
 * thread that drains the access buffer) or LRU. JMH samples the latency; every hit is also timed here, so that hits
 * over 5 ms and the true maximum are counted, not sampled ({@link Tally}): counted per iteration, written for the
 * measurement iterations only, with the releases of that window. The tally's own cost (two clock reads and three
 * striped counters) is inside the sampled time; {@link TallyCost} measures it apart.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HitBenchmark {
    static final ModelId HOT = ModelId.of("hot");
    static final long HOT_BYTES = 16L << 20;

    @Param({"idle", "2GiB", "8GiB"})
    public String churn;

    @Param({"caffeine", "lru"})
    public String policy;

    private ModelPreloader preloader;
    private Churn background;
    private String label;
    private long releasesBefore;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        Path dir = BenchFiles.directory();
        long churnBytes = churn.equals("idle") ? 0 : BenchFiles.bytes(churn);
        BenchFiles.model(dir, HOT, HOT_BYTES);
        ModelId[] turns = {ModelId.of("churn-a-" + churn), ModelId.of("churn-b-" + churn)};
        if (churnBytes > 0) {
            for (ModelId turn : turns) {
                BenchFiles.model(dir, turn, churnBytes);
            }
        }
        // Room for the hot model and one of the two that take turns: each load evicts the other.
        long budget = HOT_BYTES + Math.max(churnBytes, 1) + (64L << 20);
        EvictionPolicy ranking = policy.equals("caffeine") ? new CaffeineEvictionPolicy(budget) : new LruPolicy();
        preloader = ModelPreloader.builder().source(new FolderModelSource(dir)).store(new MmapRamStore()).policy(ranking)
                .budget(new ByteBudget(budget)).build();
        preloader.pin(HOT).get(10, TimeUnit.MINUTES); // never the victim: the churn's loads evict each other
        label = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1) + " " + churn + " " + policy;
        background = churnBytes > 0 ? Churn.start(preloader, turns) : null;
    }

    @Setup(Level.Iteration)
    public void iterationStarts() {
        Tally.reset();
        releasesBefore = releases();
    }

    /** Only what a measurement iteration saw is written: warm-up hits (JIT compiling, first faults) are not counted. */
    @TearDown(Level.Iteration)
    public void iterationEnds(IterationParams iteration) {
        if (iteration.getType() == IterationType.MEASUREMENT) {
            Tally.write(label, releases() - releasesBefore);
        }
    }

    private long releases() {
        return preloader.stats().cache().evictions();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        if (background != null) {
            background.stop();
        }
        preloader.close();
    }

    @Benchmark
    @Threads(1)
    public long hit1() {
        return hit();
    }

    @Benchmark
    @Threads(8)
    public long hit8() {
        return hit();
    }

    private long hit() {
        long start = System.nanoTime();
        long size;
        try (Lease lease = preloader.open(HOT).orElseThrow()) {
            size = lease.bytes().byteSize();
        }
        Tally.record(System.nanoTime() - start);
        return size;
    }
}
