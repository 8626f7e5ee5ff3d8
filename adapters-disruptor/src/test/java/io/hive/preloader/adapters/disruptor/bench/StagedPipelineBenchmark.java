package io.hive.preloader.adapters.disruptor.bench;

import io.hive.preloader.adapters.hostsink.HostMemorySink;
import io.hive.preloader.adapters.disruptor.DisruptorTransferPipeline;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferRunner;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The staged pipeline into the host sink against a plain copy of the same bytes by the same number of threads, in
 * the same run, runs interleaved. Every path copies a resident model (native memory, touched) into freshly
 * allocated host memory that its allocation has already touched, timed from the first byte read to the last byte
 * written. Into the host sink the readers fill the target in place (its memory is host memory); two more rows show
 * what staging through slots costs: into the host sink, where the sink stage copies each byte a second time on the
 * CPU, and into a sink whose copies cost no CPU (as a GPU's copy engine). Table last, then each ratio on a line.
 *
 * <p>On the shared virtual machines here a copy into fresh memory runs at one of two speeds, about 2× apart, from run
 * to run, whatever path makes it (huge pages or not, neighbours): a ratio of medians then compares two coin tosses.
 * So each ratio is the median of the per-run ratios (each run measures every path and the reference back to back,
 * in an order that alternates), and the table gives the medians of the speeds beside them.
 *
 * <p>Arguments: size in MiB (1024), runs (5), readers (the CPU count), chunk in KiB (16384, the config default), slots (2 per
 * reader).
 */
public final class StagedPipelineBenchmark {
    private StagedPipelineBenchmark() {
    }

    private record Path(String name, VramSink sink, double[] gbps) {
    }

    public static void main(String[] args) throws Exception {
        long size = arg(args, 0, 1024) << 20;
        int runs = (int) arg(args, 1, 11);
        int readers = (int) arg(args, 2, Runtime.getRuntime().availableProcessors());
        long chunk = arg(args, 3, 16384) << 10;
        int slots = (int) arg(args, 4, Integer.highestOneBit(Math.max(2, 2 * readers) * 2 - 1));

        ModelId model = ModelId.of("bench");
        HostMemorySink host = new HostMemorySink();
        List<Path> paths = List.of(
                new Path("staged into the host sink (filled in place)", host, new double[runs]),
                new Path("staged into the host sink through slots (each byte copied twice on the CPU)", new ThroughSlots(host), new double[runs]),
                new Path("staged through slots into a sink whose copies cost no CPU (a GPU's copy engine)", new DmaLikeSink(), new double[runs]));
        double[] plain = new double[runs];
        try (Arena arena = Arena.ofShared(); DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(chunk, readers, slots)) {
            MemorySegment source = arena.allocate(size, 4096);
            for (long i = 0; i < size; i += 8) {
                source.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L);
            }
            for (Path path : paths) { // one untimed warm-up of each, so that every path runs compiled code
                stagedOnce(path.sink(), pipeline, model, source).close();
            }
            plainOnce(source, readers);
            for (int run = 0; run < runs; run++) {
                if (run % 2 == 1) {
                    plain[run] = plainOnce(source, readers);
                }
                StringBuilder line = new StringBuilder("run " + (run + 1) + ":");
                for (Path path : paths) {
                    try (DeviceCopy copy = stagedOnce(path.sink(), pipeline, model, source)) {
                        path.gbps()[run] = size / (double) copy.took().toNanos();
                    }
                    line.append(String.format(Locale.ROOT, " %.2f", path.gbps()[run]));
                }
                if (run % 2 == 0) {
                    plain[run] = plainOnce(source, readers);
                }
                System.err.println(line.append(String.format(Locale.ROOT, " | plain %.2f GB/s", plain[run])));
            }
        }
        double reference = median(plain);
        System.out.printf(Locale.ROOT, "%n%d MiB resident model into fresh host memory; ring of %d × %d KiB, %d readers; %d runs; %d CPUs%n",
                size >> 20, slots, chunk >> 10, readers, runs, Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "| path | copying threads | GB/s (median) | / plain (median of per-run ratios) |%n|---|---|---|---|%n");
        for (Path path : paths) {
            System.out.printf(Locale.ROOT, "| %s | %d readers (+ sink and completion stages) | %.2f | %.2f |%n", path.name(), readers,
                    median(path.gbps()), medianRatio(path.gbps(), plain));
        }
        System.out.printf(Locale.ROOT, "| plain multi-threaded copy (reference) | %d | %.2f | 1.00 |%n", readers, reference);
        System.out.printf(Locale.ROOT, "staged into the host sink / plain = %.2f (goal >= 0.90)%n", medianRatio(paths.get(0).gbps(), plain));
        System.out.printf(Locale.ROOT, "staged through slots into the host sink / plain = %.2f (two CPU copies per byte)%n",
                medianRatio(paths.get(1).gbps(), plain));
        System.out.printf(Locale.ROOT, "staged through slots into a copy-engine-like sink / plain = %.2f%n", medianRatio(paths.get(2).gbps(), plain));
    }

    private static long arg(String[] args, int index, long fallback) {
        return args.length > index ? Long.parseLong(args[index]) : fallback;
    }

    private static DeviceCopy stagedOnce(VramSink sink, DisruptorTransferPipeline pipeline, ModelId model, MemorySegment source) {
        return TransferRunner.staged(sink, pipeline, model, new ChunkSource.Memory(source), 0, TransferOptions.defaults(), Optional.empty());
    }

    /** {@code threads} threads each copy one contiguous share of the source; returns GB/s. */
    private static double plainOnce(MemorySegment source, int threads) throws InterruptedException {
        long size = source.byteSize();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment target = arena.allocate(size, 4096);
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            long share = (size / threads + 4095) & ~4095L;
            for (int t = 0; t < threads; t++) {
                long from = Math.min(size, t * share);
                long length = Math.min(share, size - from);
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    MemorySegment.copy(source, from, target, from, length);
                }));
            }
            long begin = System.nanoTime();
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            long nanos = System.nanoTime() - begin;
            if (target.mismatch(source) != -1) {
                throw new AssertionError("the plain copy differs from its source");
            }
            return size / (double) nanos;
        }
    }

    private static double medianRatio(double[] values, double[] reference) {
        double[] ratios = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            ratios[i] = values[i] / reference[i];
        }
        return median(ratios);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
