package io.hive.preloader.adapters.hostsink;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.SinkFullException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostMemorySinkTest {
    private static final ModelId MODEL = ModelId.of("model");
    private final HostMemorySink sink = new HostMemorySink();

    @Test
    void isNamedHost() {
        assertThat(sink.name()).isEqualTo("host");
    }

    @Test
    void copiesEveryByteAcrossSeveralChunks() {
        byte[] contents = ModelFiles.model(40 * 1024 * 1024 + 3, 50);

        try (DeviceCopy copy = sink.copy(MODEL, MemorySegment.ofArray(contents).asReadOnly(), 1)) {
            MemorySegment memory = ((HostDeviceCopy) copy).memory();
            assertThat(memory.byteSize()).isEqualTo(contents.length);
            assertThat(memory.mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
        }
    }

    @Test
    void reportsTheModelDeviceBytesAndTimeTaken() {
        try (Arena arena = Arena.ofConfined(); DeviceCopy copy = sink.copy(MODEL, arena.allocate(1 << 20), 2)) {
            assertThat(copy.model()).isEqualTo(MODEL);
            assertThat(copy.device()).isEqualTo(2);
            assertThat(copy.bytes()).isEqualTo(1 << 20);
            assertThat(copy.took()).isPositive();
            assertThat(copy.gigabytesPerSecond()).isPositive();
        }
    }

    @Test
    void theHandleNamesTheModelSizeAndDeviceButNeverTheAddress() {
        try (Arena arena = Arena.ofConfined(); DeviceCopy copy = sink.copy(MODEL, arena.allocate(4096), 0)) {
            long address = ((HostDeviceCopy) copy).memory().address();

            assertThat(copy.handle()).isEqualTo("host:" + MODEL + ":4096@device0")
                    .doesNotContain(Long.toHexString(address)).doesNotContain(Long.toString(address)).doesNotContain("0x");
        }
    }

    @Test
    void aClosedCopyCanNoLongerBeReadAndClosingAgainIsHarmless() {
        DeviceCopy copy = sink.copy(MODEL, MemorySegment.ofArray(new byte[4096]), 0);
        MemorySegment memory = ((HostDeviceCopy) copy).memory();

        copy.close();
        copy.close();

        assertThatThrownBy(() -> memory.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void copiesAnEmptyModel() {
        try (DeviceCopy copy = sink.copy(MODEL, MemorySegment.ofArray(new byte[0]), 0)) {
            assertThat(copy.bytes()).isZero();
        }
    }

    @Test
    void refusesANegativeDeviceNamingIt() {
        assertThatThrownBy(() -> sink.copy(MODEL, MemorySegment.ofArray(new byte[1]), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("device -1");
    }

    @Test
    void refusesACopyThatWouldPassItsLimitAndTakesOneOnceAnotherIsFreed() {
        HostMemorySink bounded = new HostMemorySink(3 << 20);
        byte[] twoMiB = new byte[2 << 20];

        DeviceCopy first = bounded.copy(MODEL, MemorySegment.ofArray(twoMiB), 0);
        assertThat(bounded.heldBytes()).isEqualTo(2 << 20);
        assertThatThrownBy(() -> bounded.copy(ModelId.of("other"), MemorySegment.ofArray(twoMiB), 1))
                .isInstanceOf(SinkFullException.class)
                .hasMessage("the host sink holds 2.0 MiB of copies, and 2.0 MiB more for other on device 1 would pass its limit"
                        + " of 3.0 MiB (host_sink_limit): free a device copy first");
        assertThat(bounded.heldBytes()).as("nothing taken by the refusal").isEqualTo(2 << 20);

        first.close();
        first.close();
        assertThat(bounded.heldBytes()).as("given back once").isZero();
        try (DeviceCopy second = bounded.copy(ModelId.of("other"), MemorySegment.ofArray(twoMiB), 1)) {
            assertThat(second.bytes()).isEqualTo(2 << 20);
        }
        assertThat(bounded.heldBytes()).isZero();
    }

    @Test
    void aWriterClosedUnfinishedGivesItsBytesBackAndAFinishedOneHandsThemToItsCopy() {
        HostMemorySink bounded = new HostMemorySink(4 << 20);

        DeviceWriter abandoned = bounded.allocate(MODEL, 3 << 20, 0, 2);
        assertThat(bounded.heldBytes()).isEqualTo(3 << 20);
        abandoned.close();
        abandoned.close();
        assertThat(bounded.heldBytes()).isZero();

        DeviceWriter finished = bounded.allocate(MODEL, 3 << 20, 0, 2);
        DeviceCopy copy = finished.finish(Duration.ofMillis(1));
        finished.close();
        assertThat(bounded.heldBytes()).as("still the copy's").isEqualTo(3 << 20);
        copy.close();
        assertThat(bounded.heldBytes()).isZero();
    }

    @Test
    void refusesALimitBelowOneByte() {
        assertThatThrownBy(() -> new HostMemorySink(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 byte");
    }
}
