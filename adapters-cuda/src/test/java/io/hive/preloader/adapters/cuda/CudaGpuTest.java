package io.hive.preloader.adapters.cuda;

import io.hive.preloader.adapters.disruptor.DisruptorTransferPipeline;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.TransferCancelledException;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA sink on a real GPU (device 0): skipped, saying why, where {@code libcuda.so.1} or a device is missing.
 * Run by {@code scripts/gpu-check.sh} on a GPU machine.
 */
@Tag("gpu")
class CudaGpuTest {
    private static final long MiB = 1 << 20;
    private static final ModelId MODEL = ModelId.of("m");
    private static CudaVramSink sink;

    @TempDir
    static Path models;
    private static byte[] contents;
    private static long crc;

    @BeforeAll
    static void needsAGpu() {
        CudaVramSink.Availability availability = CudaVramSink.probe();
        assumeTrue(availability.available(), "no GPU here: " + availability.reason());
        sink = CudaVramSink.open();
        contents = ModelFiles.model(96 * MiB + 12345, 1);
        ModelFiles.write(models, "m.gguf", contents);
        CRC32C c = new CRC32C();
        c.update(contents);
        crc = c.getValue();
    }

    @AfterAll
    static void close() {
        if (sink != null) {
            sink.close();
        }
    }

    private static long free() {
        return sink.memoryInfo(0)[0];
    }

    private static ModelPreloader preloader(DisruptorTransferPipeline pipeline) {
        return ModelPreloader.builder().source(new FolderSource(models)).store(new MmapRamStore()).budget(new ByteBudget(1L << 30))
                .sink(sink).pipeline(pipeline).build();
    }

    @Test
    void copiesAndReadsBackEveryByte() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(contents.length, 4096);
            source.copyFrom(MemorySegment.ofArray(contents));
            MemorySegment back = arena.allocate(contents.length, 4096);
            try (DeviceCopy copy = sink.copy(MODEL, source, 0)) {
                copy.readBack(0, back);
            }
            assertThat(back.mismatch(source)).isEqualTo(-1L);
        }
    }

    @Test
    void transfersAResidentPageCacheMappingDirectStagedAndFromDiskWithMatchingChecksums() throws Exception {
        try (DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(16 * MiB, 4); ModelPreloader p = preloader(pipeline)) {
            try (Transfer fromDisk = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true))) {
                assertThat(fromDisk.plan()).isInstanceOf(TransferPlan.Staged.class);
                assertThat(fromDisk.crc32c()).hasValue(crc);
            }
            p.preload(MODEL).get();
            try (Transfer direct = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true))) {
                assertThat(direct.plan()).as("a page-cache mapping registered read-only").isEqualTo(new TransferPlan.Direct(true, "resident and pinned"));
                assertThat(direct.crc32c()).hasValue(crc);
            }
            try (Transfer staged = p.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED).withChecksum(true))) {
                assertThat(staged.crc32c()).hasValue(crc);
            }
        }
    }

    @Test
    void aSecondProcessOpensTheIpcHandleAndReadsTheSameBytes() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(contents.length, 4096);
            source.copyFrom(MemorySegment.ofArray(contents));
            try (DeviceCopy copy = sink.copy(MODEL, source, 0)) {
                String line = IpcOpenMain.inAnotherProcess(CudaIpcHandle.parse(copy.handle()));
                assertThat(line).isEqualTo(String.format(Locale.ROOT, "crc32c=%08x bytes=%d", crc, contents.length));
            }
        }
    }

    @Test
    void anAllocationLargerThanTheDeviceFailsNamingTheCallAndLeavesMemoryAsItWas() {
        long before = free();
        long total = sink.memoryInfo(0)[1];

        assertThatThrownBy(() -> sink.allocate(MODEL, 2 * total, 0, 4)).isInstanceOf(CudaException.class)
                .hasMessageStartingWith("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2)");
        assertThat(free()).isEqualTo(before);
    }

    @Test
    void aCancelledStagedTransferLeavesDeviceMemoryAsItWas() throws Exception {
        try (DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(4 * MiB, 2); ModelPreloader p = preloader(pipeline)) {
            p.preload(MODEL).get();
            p.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED)).close(); // the driver's lazy allocations, once
            long before = free();
            Cancellation cancellation = new Cancellation();

            assertThatThrownBy(() -> p.transfer(MODEL, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED).withCancellation(cancellation)
                    .withProgress((done, total) -> {
                        if (done >= 8 * MiB) {
                            cancellation.cancel("by the GPU test");
                        }
                    }))).isInstanceOf(TransferCancelledException.class);
            assertThat(free()).isEqualTo(before);
        }
    }

    @Test
    void refusesADeviceThatDoesNotExist() {
        assertThatThrownBy(() -> sink.allocate(MODEL, MiB, sink.deviceCount(), 1)).hasMessageContaining("does not exist");
    }
}
