package io.hive.preloader.adapters.cuda;

import io.hive.preloader.adapters.disruptor.DisruptorTransferPipeline;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * Host → VRAM on device 0, same run: the pinned ceiling ({@code cuMemcpyHtoD_v2} from {@code cuMemAllocHost_v2}
 * memory), the pageable copy (the same call from the resident page-cache mapping before it is registered), and
 * core's direct and staged transfers of that resident model (≥ 4 GiB), then checksums of both and the IPC handle
 * of a direct copy opened by a second process. Medians of RUNS; the table is printed last, then each ratio on a
 * line of its own. GB/s are 10^9 bytes per second.
 *
 * <p>Arguments: size in GiB (4), runs (5), readers (12), chunk in MiB (16), folder for the model file (/tmp).
 */
public final class CudaTransferBenchmark {
    private static final ModelId MODEL = ModelId.of("bench");

    private CudaTransferBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(arg(args, 0, "4")) << 30;
        int runs = Integer.parseInt(arg(args, 1, "5"));
        int readers = Integer.parseInt(arg(args, 2, "12"));
        long chunk = Long.parseLong(arg(args, 3, "16")) << 20;
        Path folder = Files.createTempDirectory(Path.of(arg(args, 4, "/tmp")), "cuda-bench-");
        Path file = folder.resolve("bench.gguf");
        List<String> notes = new ArrayList<>();

        try (CudaVramSink sink = CudaVramSink.open()) {
            String device = sink.deviceName(0);
            log("device 0: %s; writing a %d GiB model to %s", device, size >> 30, file);
            long crc = write(file, size);

            double ceiling = ceiling(sink, size, runs);
            try (DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(chunk, readers);
                 ModelPreloader preloader = ModelPreloader.builder().source(new FolderSource(folder)).store(new MmapRamStore())
                         .budget(new ByteBudget(size + (1L << 30))).sink(sink).pipeline(pipeline).chunkSize(chunk).build()) {
                preloader.preload(MODEL).get();
                double pageable;
                try (var lease = preloader.open(MODEL).orElseThrow()) {
                    pageable = median(runs, () -> {
                        try (DeviceCopy copy = sink.copy(MODEL, lease.bytes(), 0)) {
                            return gbps(size, copy.took().toNanos());
                        }
                    });
                }
                log("pageable copy: %.2f GB/s", pageable);

                long registering = System.nanoTime();
                Transfer first = preloader.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.DIRECT));
                notes.add(String.format(Locale.ROOT, "first direct transfer (registering %d GiB of page cache read-only included): %.2f s wall, plan %s",
                        size >> 30, (System.nanoTime() - registering) / 1e9, first.plan()));
                first.close();
                double direct = median(runs, () -> {
                    try (Transfer t = preloader.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.DIRECT))) {
                        if (!(t.plan() instanceof TransferPlan.Direct d) || !d.pinned()) {
                            throw new IllegalStateException("the direct transfer was not pinned: " + t.plan());
                        }
                        return gbps(size, t.copy().took().toNanos());
                    }
                });
                log("direct: %.2f GB/s", direct);
                double staged = median(runs, () -> {
                    try (Transfer t = preloader.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED))) {
                        return gbps(size, t.copy().took().toNanos());
                    }
                });
                log("staged: %.2f GB/s", staged);

                String directCheck;
                String ipcCheck;
                try (Transfer t = preloader.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.DIRECT).withChecksum(true))) {
                    directCheck = check(t, crc);
                    String expected = String.format(Locale.ROOT, "crc32c=%08x bytes=%d", crc, size);
                    String seen;
                    try {
                        seen = IpcOpenMain.inAnotherProcess(CudaIpcHandle.parse(t.copy().handle()));
                    } catch (RuntimeException e) {
                        seen = "nothing: " + e.getMessage().lines().findFirst().orElse("");
                    }
                    ipcCheck = seen.equals(expected) ? "yes, " + seen : "NO: expected " + expected + ", the second process read " + seen;
                }
                String stagedCheck;
                try (Transfer t = preloader.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED).withChecksum(true))) {
                    stagedCheck = check(t, crc);
                }

                System.out.printf(Locale.ROOT, "%n%s, %d GiB resident model (page-cache mapping), medians of %d runs; staged: %d readers, %d × %d MiB slots%n",
                        device, size >> 30, runs, readers, pipeline.slots(), chunk >> 20);
                notes.forEach(n -> System.out.println(n));
                System.out.printf(Locale.ROOT, "| path | GB/s |%n|---|---|%n");
                System.out.printf(Locale.ROOT, "| pinned ceiling: cuMemcpyHtoD from cuMemAllocHost memory | %.2f |%n", ceiling);
                System.out.printf(Locale.ROOT, "| pageable: cuMemcpyHtoD from the unregistered mapping | %.2f |%n", pageable);
                System.out.printf(Locale.ROOT, "| direct: the mapping registered read-only, async chunks | %.2f |%n", direct);
                System.out.printf(Locale.ROOT, "| staged: Disruptor ring of pinned slots | %.2f |%n", staged);
                System.out.printf(Locale.ROOT, "checksum of the direct copy: %s%n", directCheck);
                System.out.printf(Locale.ROOT, "checksum of the staged copy: %s%n", stagedCheck);
                System.out.printf(Locale.ROOT, "IPC handle opened by a second process: %s%n", ipcCheck);
                System.out.printf(Locale.ROOT, "direct / ceiling = %.2f (goal >= 0.95)%n", direct / ceiling);
                System.out.printf(Locale.ROOT, "staged / ceiling = %.2f (goal >= 0.85)%n", staged / ceiling);
                System.out.printf(Locale.ROOT, "direct / pageable = %.2f (goal >= 5)%n", direct / pageable);
                System.out.printf(Locale.ROOT, "staged / pageable = %.2f (goal >= 5)%n", staged / pageable);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(folder);
        }
    }

    private static String check(Transfer t, long expected) {
        long seen = t.crc32c().orElseThrow();
        return seen == expected ? String.format(Locale.ROOT, "match (crc32c %08x)", seen)
                : String.format(Locale.ROOT, "MISMATCH (device %08x, file %08x)", seen, expected);
    }

    /** cuMemcpyHtoD_v2 of the whole size from page-locked memory the driver allocated: the link's ceiling. */
    private static double ceiling(CudaVramSink sink, long size, int runs) throws Exception {
        CudaDevice device = sink.device(0);
        device.makeCurrent();
        Cuda cuda = sink.cuda();
        long start = System.nanoTime();
        MemorySegment pinned = PinnedHostMemory.allocate(cuda, size);
        log("cuMemAllocHost_v2 of %d GiB: %.2f s", size >> 30, (System.nanoTime() - start) / 1e9);
        long pointer = cuda.allocate(size, "for the ceiling");
        try {
            pinned.fill((byte) 1);
            double ceiling = median(runs, () -> {
                device.makeCurrent();
                long t0 = System.nanoTime();
                cuda.copyToDevice(pointer, pinned, "for the ceiling");
                return gbps(size, System.nanoTime() - t0);
            });
            log("pinned ceiling: %.2f GB/s", ceiling);
            return ceiling;
        } finally {
            device.makeCurrent();
            cuda.free(pointer, "for the ceiling");
            PinnedHostMemory.free(cuda, pinned);
        }
    }

    /** Writes {@code size} bytes (64 MiB of random bytes, varied per block) and returns their CRC32C. */
    private static long write(Path file, long size) throws IOException {
        byte[] block = new byte[64 << 20];
        new java.util.Random(7).nextBytes(block);
        CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += block.length) {
                block[0] = (byte) (done >>> 26);
                int length = (int) Math.min(block.length, size - done);
                crc.update(block, 0, length);
                ByteBuffer buffer = ByteBuffer.wrap(block, 0, length);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        }
        return crc.getValue();
    }

    @FunctionalInterface
    private interface Run {
        double once() throws Exception;
    }

    private static double median(int runs, Run run) throws Exception {
        run.once(); // warm-up
        double[] values = new double[runs];
        for (int i = 0; i < runs; i++) {
            values[i] = run.once();
        }
        Arrays.sort(values);
        return runs % 2 == 1 ? values[runs / 2] : (values[runs / 2 - 1] + values[runs / 2]) / 2;
    }

    private static double gbps(long bytes, long nanos) {
        return bytes / (double) nanos;
    }

    private static String arg(String[] args, int index, String fallback) {
        return args.length > index ? args[index] : fallback;
    }

    private static void log(String format, Object... values) {
        System.err.printf(Locale.ROOT, format + "%n", values);
    }

}
