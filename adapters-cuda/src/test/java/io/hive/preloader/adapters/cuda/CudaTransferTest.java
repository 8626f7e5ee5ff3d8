package io.hive.preloader.adapters.cuda;

import io.hive.preloader.adapters.disruptor.DisruptorTransferPipeline;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.TransferCancelledException;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import io.hive.preloader.adapters.mmap.MmapRamStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Whole transfers over the fake driver: core's plans, the Disruptor pipeline and the CUDA sink together, a page-cache
 * mapping as the resident model. The fake runs each asynchronous copy only when its event is awaited, and refuses
 * calls from a thread without a current context, so slot reuse and context handling are checked too.
 */
class CudaTransferTest {
    private static final long CHUNK = 256 * 1024;
    private static final ModelId MODEL = ModelId.of("m");

    @TempDir
    Path models;

    private final FakeCuda driver = new FakeCuda();
    private final CudaVramSink sink = CudaVramSink.open(driver.table());
    private final DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(CHUNK, 3);
    private byte[] contents;
    private ModelPreloader preloader;

    private ModelPreloader preloader(PlanMode plan) {
        contents = ModelFiles.model(9 * CHUNK + 4097, 42);
        ModelFiles.write(models, "m.gguf", contents);
        preloader = ModelPreloader.builder().source(new FolderSource(models)).store(new MmapRamStore()).budget(new ByteBudget(64 << 20))
                .sink(sink).pipeline(pipeline).plan(plan).chunkSize(CHUNK).build();
        return preloader;
    }

    private long crc32c() {
        CRC32C crc = new CRC32C();
        crc.update(contents);
        return crc.getValue();
    }

    @AfterEach
    void nothingIsLeftOnceThePreloaderAndTheSinkAreClosed() {
        if (preloader != null) {
            preloader.close();
        }
        pipeline.close();
        sink.close();
        assertThat(driver.leaks()).isEmpty();
        assertThat(driver.retainedContexts()).isZero();
        assertThat(driver.misuse()).isEmpty();
    }

    @Test
    void aResidentPageCacheMappingIsPinnedReadOnlyOnceAndCopiedDirect() throws Exception {
        ModelPreloader p = preloader(PlanMode.AUTO);
        p.preload(MODEL).get();

        try (Transfer first = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true));
             Transfer second = p.transfer(MODEL, 1, TransferOptions.defaults().withChecksum(true))) {
            assertThat(first.plan()).isEqualTo(new TransferPlan.Direct(true, "resident and pinned"));
            assertThat(first.crc32c()).hasValue(crc32c());
            assertThat(second.crc32c()).hasValue(crc32c());
            assertThat(first.copy().handle()).startsWith("cuda-ipc:0:" + contents.length + ":");
        }
        assertThat(driver.calls("cuMemHostRegister_v2")).isEqualTo(1);
        assertThat(driver.liveRegistrations()).as("kept while resident").isEqualTo(1);
        assertThat(driver.liveAllocations()).isZero();

        p.evict(MODEL);
        assertThat(driver.liveRegistrations()).as("unregistered before the mapping went").isZero();
    }

    @Test
    void closingThePreloaderLeavesNoRegistrationNoContextAndNoStagingSlot() throws Exception {
        ModelPreloader p = preloader(PlanMode.AUTO);
        p.transfer(MODEL, 1, TransferOptions.defaults()).close();
        p.preload(MODEL).get();
        p.transfer(MODEL, 0, TransferOptions.defaults()).close();
        assertThat(driver.liveRegistrations()).as("the ring's slots kept pinned, and the resident mapping").isEqualTo(2);
        assertThat(driver.retainedContexts()).isEqualTo(2);

        p.close();

        assertThat(driver.leaks()).isEmpty();
        assertThat(driver.retainedContexts()).isZero();
        assertThat(driver.misuse()).as("every unregistration made while its context was still retained").isEmpty();
    }

    @Test
    void aRegionTheDriverCannotPinIsStagedThroughTheRing() throws Exception {
        driver.refuseRegistrations(2);
        ModelPreloader p = preloader(PlanMode.AUTO);
        p.preload(MODEL).get();

        try (Transfer t = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true))) {
            assertThat(t.plan()).isEqualTo(new TransferPlan.Staged(Origin.RAM, "resident but the sink could not pin the region"));
            assertThat(t.crc32c()).hasValue(crc32c());
        }
    }

    @Test
    void aModelThatIsNotResidentStreamsFromDiskThroughPinnedSlots() {
        ModelPreloader p = preloader(PlanMode.AUTO);

        for (int i = 0; i < 2; i++) {
            try (Transfer t = p.transfer(MODEL, 1, TransferOptions.defaults().withChecksum(true))) {
                assertThat(t.plan()).isInstanceOf(TransferPlan.Staged.class);
                assertThat(t.crc32c()).hasValue(crc32c());
            }
        }
        assertThat(driver.calls("cuMemHostRegister_v2")).as("the staging slots were pinned once for both").isEqualTo(1);
        assertThat(driver.liveRegistrations()).as("and kept for the next transfer").isEqualTo(1);
        pipeline.close();
        assertThat(driver.liveRegistrations()).as("until the pipeline is closed").isZero();
    }

    @ParameterizedTest
    @EnumSource(value = PlanMode.class, names = {"DIRECT", "STAGED"})
    void aCopyFailingHalfwayLeavesNoDeviceMemoryNoStreamNoEventAndNoSlotRegistration(PlanMode plan) throws Exception {
        ModelPreloader p = preloader(plan);
        p.preload(MODEL).get();
        driver.fail("cuMemcpyHtoDAsync_v2", 700, 5);

        assertThatThrownBy(() -> p.transfer(MODEL, 0, TransferOptions.defaults()))
                .isInstanceOf(CudaException.class).hasMessageStartingWith("cuMemcpyHtoDAsync_v2 failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)");

        assertThat(driver.leaks()).as("left behind, but for the resident model's own registration on the direct plan")
                .allMatch(leak -> plan == PlanMode.DIRECT && leak.startsWith("registration"))
                .hasSizeLessThanOrEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = PlanMode.class, names = {"DIRECT", "STAGED"})
    void aTransferCancelledHalfwayLeavesNothingBehind(PlanMode plan) throws Exception {
        ModelPreloader p = preloader(plan);
        p.preload(MODEL).get();
        Cancellation cancellation = new Cancellation();

        assertThatThrownBy(() -> p.transfer(MODEL, 0, TransferOptions.defaults().withCancellation(cancellation).withProgress((done, total) -> {
            if (done >= 3 * CHUNK) {
                cancellation.cancel("spawn aborted");
            }
        }))).isInstanceOf(TransferCancelledException.class).hasMessageContaining("spawn aborted");

        assertThat(driver.liveAllocations()).isZero();
        assertThat(driver.leaks()).allMatch(leak -> plan == PlanMode.DIRECT && leak.startsWith("registration")).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void aDeviceOutOfMemoryFailsNamingTheCallAndLeavesNothingBehind() {
        ModelPreloader p = preloader(PlanMode.AUTO);
        driver.fail("cuMemAlloc_v2", 2);

        assertThatThrownBy(() -> p.transfer(MODEL, 0, TransferOptions.defaults()))
                .hasMessageStartingWith("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2) allocating");
        assertThat(driver.leaks()).isEmpty();
    }
}
