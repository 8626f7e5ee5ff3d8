package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The CUDA sink's own logic, over a fake driver: checks, errors, clean-up, registration, IPC. */
class CudaVramSinkTest {
    private static final ModelId MODEL = ModelId.of("llama");
    private static final long MiB = 1 << 20;

    private final FakeCuda driver = new FakeCuda();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void nothingWasMisused() {
        arena.close();
        assertThat(driver.misuse()).isEmpty();
    }

    private CudaVramSink sink() {
        return CudaVramSink.open(driver.table());
    }

    private MemorySegment random(long size) {
        MemorySegment memory = arena.allocate(size, 4096);
        memory.copyFrom(MemorySegment.ofArray(ModelFiles.randomBytes(size, size)));
        return memory;
    }

    @Test
    void saysInOneLineWhyThereIsNoCudaWhereTheDriverIsMissing() {
        assumeTrue(CudaDriver.unavailable().isPresent(), "libcuda.so.1 is present on this machine");

        CudaVramSink.Availability availability = CudaVramSink.probe();

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).startsWith("libcuda.so.1 not found").doesNotContain("\n");
        assertThatThrownBy(CudaVramSink::open).isInstanceOf(CudaUnavailableException.class)
                .hasMessageStartingWith("CUDA sink unavailable: libcuda.so.1 not found");
    }

    @Test
    void aDriverThatFailsToInitialiseOrSeesNoDeviceIsUnavailable() {
        assertThat(CudaVramSink.probe(new FakeCuda().fail("cuInit", 100).table()).reason())
                .isEqualTo("cuInit failed: CUDA_ERROR_NO_DEVICE (100)");
        assertThat(CudaVramSink.probe(new FakeCuda(0, MiB).table()).reason()).isEqualTo("the driver sees no CUDA device");
        assertThatThrownBy(() -> CudaVramSink.open(new FakeCuda(0, MiB).table()))
                .hasMessage("CUDA sink unavailable: the driver sees no CUDA device");
    }

    @Test
    void refusesADeviceThatDoesNotExistNamingHowManyThereAre() {
        try (CudaVramSink sink = sink()) {
            assertThat(sink.deviceCount()).isEqualTo(2);
            assertThatThrownBy(() -> sink.allocate(MODEL, MiB, 2, 1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("device 2 does not exist: this machine has 2 CUDA devices, numbered from 0");
        }
    }

    @Test
    void retainsEachDevicesPrimaryContextOnceAndReleasesItOnClose() {
        CudaVramSink sink = sink();
        sink.copy(MODEL, random(4096), 0).close();
        sink.copy(MODEL, random(4096), 0).close();
        sink.copy(MODEL, random(4096), 1).close();
        assertThat(sink.deviceName(1)).isEqualTo("Fake GPU 1");

        assertThat(driver.calls("cuDevicePrimaryCtxRetain")).isEqualTo(2);
        sink.close();
        assertThat(driver.retainedContexts()).isZero();
        assertThat(driver.leaks()).isEmpty();
    }

    @ParameterizedTest(name = "{0} returning {1}")
    @CsvSource({
            "cuMemAlloc_v2,        1, 2,   'cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2) allocating 1.0 MiB for llama (1.0 MiB) on device 1', -",
            "cuStreamCreate,       1, 2,   'cuStreamCreate failed: CUDA_ERROR_OUT_OF_MEMORY (2) for llama (1.0 MiB) on device 1', -",
            "cuEventCreate,        3, 201, 'cuEventCreate failed: CUDA_ERROR_INVALID_CONTEXT (201) for llama (1.0 MiB) on device 1', -",
            "cuMemcpyHtoDAsync_v2, 3, 700, 'cuMemcpyHtoDAsync_v2 failed: CUDA_ERROR_ILLEGAL_ADDRESS (700) copying 65536 bytes to offset 131072 on device 1', -",
            "cuEventRecord,        3, 400, 'cuEventRecord failed: CUDA_ERROR_INVALID_HANDLE (400) for lane 2 on device 1', -",
            "cuEventSynchronize,   4, 700, 'cuEventSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700) for lane 0 on device 1', -",
            "cuCtxSetCurrent,      2, 201, 'cuCtxSetCurrent failed: CUDA_ERROR_INVALID_CONTEXT (201) for device 1', -",
            "cuMemcpyDtoH_v2,      1, 700, 'cuMemcpyDtoH_v2 failed: CUDA_ERROR_ILLEGAL_ADDRESS (700) reading 1048576 bytes of llama back from device 1 at offset 0', -",
            "cuIpcGetMemHandle,    1, 801, 'cuIpcGetMemHandle failed: CUDA_ERROR_NOT_SUPPORTED (801) for llama on device 1', -",
            "cuStreamSynchronize,  1, 700, 'cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (700) for llama on device 1', -",
            "cuGetErrorName,       1, 1,   'cuMemAlloc_v2 failed: CUresult 999 (999) allocating 1.0 MiB for llama (1.0 MiB) on device 1', -",
            "cuStreamDestroy_v2,   1, 400, 'cuStreamDestroy_v2 failed: CUDA_ERROR_INVALID_HANDLE (400) for llama on device 1', stream",
            "cuMemFree_v2,         1, 700, 'cuMemFree_v2 failed: CUDA_ERROR_ILLEGAL_ADDRESS (700) freeing llama on device 1', device memory"})
    void everyFailedCallNamesTheCallTheErrorAndWhatItWasDoingAndFreesWhatItCan(String call, int nth, int result, String message, String left) {
        if (call.equals("cuGetErrorName")) {
            driver.fail("cuMemAlloc_v2", 999);
        } else {
            driver.fail(call, result, nth);
        }
        MemorySegment source = random(MiB);
        CudaVramSink sink = sink();
        // One transfer as core runs it: allocate, copy in chunks on 3 lanes, await, finish, read back, hand out, free.
        assertThatThrownBy(() -> {
            try (DeviceWriter writer = sink.allocate(MODEL, MiB, 1, 3)) {
                for (int chunk = 0; chunk < 16; chunk++) {
                    int lane = chunk % 3;
                    if (chunk >= 3) {
                        writer.await(lane);
                    }
                    writer.copy(chunk * 65536L, source.asSlice(chunk * 65536L, 65536), lane);
                }
                try (DeviceCopy copy = writer.finish(Duration.ZERO)) {
                    copy.readBack(0, arena.allocate(MiB));
                    copy.handle();
                }
            }
        }).isInstanceOf(CudaException.class).hasMessage(message);

        sink.close();
        if (left.equals("-")) {
            assertThat(driver.leaks()).as("left behind").isEmpty();
        } else {
            // What the driver refused to free stays; everything else is still freed.
            assertThat(driver.leaks()).as("left behind").singleElement().asString().startsWith(left);
        }
    }

    @Test
    void aFailureExposesTheCallAndTheCudaResult() {
        driver.fail("cuMemAlloc_v2", 2);
        try (CudaVramSink sink = sink()) {
            assertThatThrownBy(() -> sink.copy(MODEL, random(4096), 0)).isInstanceOfSatisfying(CudaException.class, e -> {
                assertThat(e.call()).isEqualTo("cuMemAlloc_v2");
                assertThat(e.result()).isEqualTo(2);
                assertThat(e.errorName()).isEqualTo("CUDA_ERROR_OUT_OF_MEMORY");
            });
        }
    }

    @Test
    void aCopyThatFailsFreesItsAllocation() {
        driver.fail("cuMemcpyHtoD_v2", 700);
        try (CudaVramSink sink = sink()) {
            assertThatThrownBy(() -> sink.copy(MODEL, random(MiB), 0)).hasMessageStartingWith("cuMemcpyHtoD_v2 failed: CUDA_ERROR_ILLEGAL_ADDRESS");
        }
        assertThat(driver.leaks()).isEmpty();
    }

    @Test
    void aWriterClosedWithCopiesInFlightWaitsForThemBeforeFreeing() {
        MemorySegment source = random(MiB);
        try (CudaVramSink sink = sink()) {
            DeviceWriter writer = sink.allocate(MODEL, MiB, 0, 2);
            writer.copy(0, source.asSlice(0, MiB / 2), 0);
            writer.copy(MiB / 2, source.asSlice(MiB / 2, MiB / 2), 1);
            writer.close();
        }
        assertThat(driver.calls("cuStreamSynchronize")).isEqualTo(1);
        assertThat(driver.leaks()).isEmpty();
    }

    @Test
    void pinsARegionReadOnlyAndPortableAndUnpinsItOnClose() {
        MemorySegment region = random(MiB);
        try (CudaVramSink sink = sink()) {
            HostRegistration registration = sink.register(region, 0).orElseThrow();

            assertThat(registration.pinned()).isTrue();
            assertThat(driver.registrationFlags(region)).isEqualTo(Cuda.MEMHOSTREGISTER_PORTABLE | Cuda.MEMHOSTREGISTER_READ_ONLY);
            registration.close();
            registration.close();
        }
        assertThat(driver.liveRegistrations()).isZero();
        assertThat(driver.calls("cuMemHostUnregister")).isEqualTo(1);
    }

    @Test
    void pinsWithoutReadOnlyWhereTheDeviceDoesNotSupportIt() {
        driver.withoutReadOnlyRegistration();
        MemorySegment region = random(MiB);
        try (CudaVramSink sink = sink(); HostRegistration registration = sink.register(region, 0).orElseThrow()) {
            assertThat(registration.pinned()).isTrue();
            assertThat(driver.registrationFlags(region)).isEqualTo(Cuda.MEMHOSTREGISTER_PORTABLE);
        }
    }

    @Test
    void aRegionTheDriverRefusesToPinIsNotRegistered() {
        driver.refuseRegistrations(2);
        MemorySegment region = random(MiB);
        try (CudaVramSink sink = sink()) {
            assertThat(sink.register(region, 0)).isEmpty();
            assertThat(sink.register(region, 0)).isEmpty();
        }
        assertThat(driver.liveRegistrations()).isZero();
    }

    @Test
    void anEmptyRegionNeedsNoPinning() {
        try (CudaVramSink sink = sink()) {
            Optional<HostRegistration> registration = sink.register(MemorySegment.NULL, 0);
            assertThat(registration).hasValueSatisfying(r -> assertThat(r.pinned()).isFalse());
        }
        assertThat(driver.calls("cuMemHostRegister_v2")).isZero();
    }

    @Test
    void aFailedIpcExportLeavesTheCopyWholeItsHandleMadeWhenAskedAgainAndFreedOnClose() {
        driver.fail("cuIpcGetMemHandle", 801);
        try (CudaVramSink sink = sink()) {
            DeviceCopy copy = sink.copy(MODEL, random(MiB), 1);
            try (copy) {
                assertThatThrownBy(copy::handle).isInstanceOf(CudaException.class).hasMessageStartingWith("cuIpcGetMemHandle failed");
                MemorySegment back = arena.allocate(MiB);
                copy.readBack(0, back);
                assertThat(copy.handle()).as("made lazily: the next ask works").startsWith("cuda-ipc:1:" + MiB + ":");
            }
            assertThatThrownBy(copy::handle).as("no handle to freed memory").isInstanceOf(IllegalStateException.class);
        }
        assertThat(driver.leaks()).as("left behind").isEmpty();
        assertThat(driver.calls("cuIpcGetMemHandle")).isEqualTo(2);
    }

    @Test
    void exportsAnIpcHandleThatAnotherSinkOpensToTheSameBytes() {
        MemorySegment source = random(3 * MiB + 5);
        try (CudaVramSink sink = sink(); DeviceCopy copy = sink.copy(MODEL, source, 1)) {
            String handle = copy.handle();

            assertThat(handle).matches("cuda-ipc:1:" + (3 * MiB + 5) + ":[0-9a-f]{128}");
            assertThat(copy.handle()).isEqualTo(handle);
            CudaIpcHandle parsed = CudaIpcHandle.parse(handle);
            assertThat(parsed.toString()).isEqualTo(handle);
            // The fake driver lets the same process open it; a real one needs another process (the GPU test does that).
            try (IpcMapping mapping = sink.openIpc(parsed)) {
                MemorySegment back = arena.allocate(mapping.bytes());
                mapping.readBack(0, back);
                assertThat(back.mismatch(source)).isEqualTo(-1L);
            }
        }
        assertThat(driver.leaks()).isEmpty();
    }

    @Test
    void refusesHeapMemoryWhichTheDriverCannotRead() {
        try (CudaVramSink sink = sink()) {
            assertThatThrownBy(() -> sink.copy(MODEL, MemorySegment.ofArray(new byte[16]), 0)).hasMessageContaining("native memory only");
        }
        assertThat(driver.leaks()).isEmpty();
    }

    @Test
    void reportsFreeAndTotalDeviceMemory() {
        try (CudaVramSink sink = sink(); DeviceCopy copy = sink.copy(MODEL, random(MiB), 0)) {
            assertThat(sink.memoryInfo(0)).containsExactly((1L << 30) - copy.bytes(), 1L << 30);
        }
    }
}
