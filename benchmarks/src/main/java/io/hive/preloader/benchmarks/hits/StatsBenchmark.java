package io.hive.preloader.benchmarks.hits;

import io.hive.preloader.adapters.fs.FolderModelSource;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.service.PreloaderStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code stats()} with 50 models of 8 MiB resident: what a dashboard, {@code /metrics} and the memory guard pay. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatsBenchmark {
    static final int MODELS = 50;
    static final long BYTES = 8L << 20;

    private ModelPreloader preloader;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Path dir = BenchFiles.directory().resolve("fifty");
        java.nio.file.Files.createDirectories(dir);
        for (int i = 0; i < MODELS; i++) {
            BenchFiles.model(dir, ModelId.of("m" + i), BYTES);
        }
        preloader = ModelPreloader.builder().source(new FolderModelSource(dir)).store(new MmapRamStore())
                .budget(new ByteBudget(MODELS * BYTES + (64L << 20))).build();
        for (int i = 0; i < MODELS; i++) {
            preloader.preload(ModelId.of("m" + i)).get(1, TimeUnit.MINUTES);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        preloader.close();
    }

    @Benchmark
    @Threads(1)
    public PreloaderStats stats() {
        return preloader.stats();
    }
}
