package io.hive.preloader.benchmarks.hits;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

import java.util.concurrent.TimeUnit;

/**
 * What {@link Tally} adds to each hit's sampled time, measured apart: the two clock reads around a hit and the
 * record of its time, with nothing between them. Subtract it from a hit row's p50 for the hit alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TallyCost {
    @Benchmark
    @Threads(1)
    public long tally() {
        long start = System.nanoTime();
        long nanos = System.nanoTime() - start;
        Tally.record(nanos);
        return nanos;
    }
}
