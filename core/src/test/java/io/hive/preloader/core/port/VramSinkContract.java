package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link VramSink} that {@linkplain VramSink#receivesChunks receives chunks} must do. Each sink's test
 * extends this class and says how to make the sink, which device to use, how many device allocations are live (as
 * the device, or a fake of it, counts them) and whether its registrations pin.
 */
public abstract class VramSinkContract {
    protected static final ModelId MODEL = ModelId.of("model");

    protected abstract VramSink newSink();

    protected int device() {
        return 0;
    }

    /** Device allocations of {@code sink} live now: made and not yet freed. */
    protected abstract int liveAllocations(VramSink sink);

    /** Whether the sink's registrations page-lock their region, or say that it needs none (host memory). */
    protected abstract boolean registrationsPin();

    protected static MemorySegment readBack(DeviceCopy copy, Arena arena) {
        MemorySegment into = arena.allocate(Math.max(1, copy.bytes()), 4096).asSlice(0, copy.bytes());
        if (copy.bytes() > 0) {
            copy.readBack(0, into);
        }
        return into;
    }

    private void assertNoAllocations(VramSink sink) {
        assertThat(liveAllocations(sink)).as("device allocations left").isZero();
    }

    @Test
    void receivesChunks() {
        assertThat(newSink().receivesChunks()).isTrue();
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1, 4095, 4096, 3 * 1024 * 1024 + 7})
    void copiesEveryByteInOneCallAndReadsThemBack(long size) {
        VramSink sink = newSink();
        byte[] contents = ModelFiles.randomBytes(size, size);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(size);
            source.copyFrom(MemorySegment.ofArray(contents));
            try (DeviceCopy copy = sink.copy(MODEL, source.asReadOnly(), device())) {
                assertThat(liveAllocations(sink)).as("the copy's allocation").isOne();
                assertThat(copy.model()).isEqualTo(MODEL);
                assertThat(copy.device()).isEqualTo(device());
                assertThat(copy.bytes()).isEqualTo(size);
                assertThat(readBack(copy, arena).mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
            }
        }
        assertNoAllocations(sink);
    }

    @Test
    void fillsAnAllocationChunkByChunkOnSeveralLanes() {
        VramSink sink = newSink();
        int chunk = 64 * 1024;
        byte[] contents = ModelFiles.randomBytes(9L * chunk + 123, 11);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = arena.allocate(contents.length);
            source.copyFrom(MemorySegment.ofArray(contents));
            DeviceWriter writer = sink.allocate(MODEL, contents.length, device(), 3);
            assertThat(liveAllocations(sink)).as("the writer's allocation").isOne();
            assertThat(writer.lanes()).isEqualTo(3);
            assertThat(writer.bytes()).isEqualTo(contents.length);
            for (int i = 0; (long) i * chunk < contents.length; i++) {
                int lane = i % 3;
                writer.await(lane);
                long offset = (long) i * chunk;
                writer.copy(offset, source.asSlice(offset, Math.min(chunk, contents.length - offset)), lane);
            }
            try (DeviceCopy copy = writer.finish(Duration.ofMillis(5))) {
                writer.close(); // spent: closing the writer must not free the copy
                assertThat(liveAllocations(sink)).as("the finished copy's allocation").isOne();
                assertThat(copy.took()).isEqualTo(Duration.ofMillis(5));
                assertThat(readBack(copy, arena).mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
                MemorySegment middle = arena.allocate(1000);
                copy.readBack(chunk - 500, middle);
                assertThat(middle.mismatch(MemorySegment.ofArray(contents).asSlice(chunk - 500, 1000))).isEqualTo(-1L);
            }
        }
        assertNoAllocations(sink);
    }

    @Test
    void closingAWriterWithoutFinishingFreesItsAllocation() {
        VramSink sink = newSink();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(4096);
            DeviceWriter writer = sink.allocate(MODEL, 1 << 20, device(), 2);
            assertThat(liveAllocations(sink)).isOne();
            writer.copy(0, chunk, 0);
            writer.copy(4096, chunk, 1);
            writer.close();
            writer.close();
        }
        assertNoAllocations(sink);
    }

    @Test
    void anEmptyModelNeedsNoDeviceMemory() {
        VramSink sink = newSink();
        try (DeviceCopy copy = sink.allocate(MODEL, 0, device(), 1).finish(Duration.ZERO)) {
            assertThat(copy.bytes()).isZero();
        }
        assertNoAllocations(sink);
    }

    @Test
    void aRegistrationCanBeClosedTwiceAndTheRegionRegisteredAgain() {
        VramSink sink = newSink();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment region = arena.allocate(1 << 20, 4096);
            HostRegistration registration = sink.register(region, device()).orElseThrow();
            assertThat(registration.region()).isEqualTo(region);
            assertThat(registration.pinned()).isEqualTo(registrationsPin());

            registration.close();
            registration.close();

            // Registering a region twice is refused by a driver: this works only if the first was really undone.
            try (HostRegistration again = sink.register(region, device()).orElseThrow()) {
                assertThat(again.pinned()).isEqualTo(registrationsPin());
            }
        }
    }

    @Test
    void refusesANegativeDeviceNamingIt() {
        VramSink sink = newSink();
        assertThatThrownBy(() -> sink.allocate(MODEL, 4096, -1, 1)).hasMessageContaining("device -1");
        assertNoAllocations(sink);
    }
}
