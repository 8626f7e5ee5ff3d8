package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelId;
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

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A hit as a hive makes it: {@code open} of a small resident model and {@code close} of its lease, through the
 * README's embedding API only (so that the same source runs against an older checkout). {@code churn} is
 * {@code idle}, or the size of another model preloaded and evicted in a loop while {@code stats()} is read 20 times a
 * second. JMH samples the latency; every hit is also timed here, so that hits over 5 ms and the true maximum are
 * counted, not sampled ({@link Tally}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HitBenchmark {
    static final ModelId HOT = ModelId.of("hot");
    static final ModelId CHURN = ModelId.of("churn");
    static final long HOT_BYTES = 16L << 20;

    @Param({"idle", "2GiB", "8GiB"})
    public String churn;

    private ModelPreloader preloader;
    private Churn background;
    private String label;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        Path dir = BenchFiles.directory();
        long churnBytes = churn.equals("idle") ? 0 : Long.parseLong(churn.replace("GiB", "")) << 30;
        BenchFiles.model(dir, HOT, HOT_BYTES);
        if (churnBytes > 0) {
            BenchFiles.model(dir, CHURN, churnBytes);
        }
        preloader = ModelPreloader.builder().source(new FolderModelSource(dir)).store(new MmapRamStore())
                .budget(new ByteBudget(HOT_BYTES + Math.max(churnBytes, 1) + (64L << 20))).build();
        preloader.preload(HOT).get(10, TimeUnit.MINUTES);
        label = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1) + " " + churn;
        Tally.reset();
        background = churnBytes > 0 ? Churn.start(preloader, CHURN) : null;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        long releases = background == null ? 0 : background.stop();
        Tally.write(label, releases);
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
