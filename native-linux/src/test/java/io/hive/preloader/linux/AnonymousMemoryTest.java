package io.hive.preloader.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AnonymousMemoryTest {
    private static final long HUGE = 2L << 20;

    @Test
    void mapsWholePagesOfZeroesAtTheAlignmentAskedForAndUnmapsThemWithTheArena() {
        long start;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = AnonymousMemory.map(3 * HUGE + 5, HUGE, arena, "a test");
            start = memory.address();

            assertThat(memory.byteSize()).isEqualTo(3 * HUGE + Libc.pageSize());
            assertThat(start % HUGE).isZero();
            assertThat(memory.asSlice(0, 4096).mismatch(MemorySegment.ofArray(new byte[4096]))).isEqualTo(-1);
            memory.set(JAVA_BYTE, memory.byteSize() - 1, (byte) 1);
            Smaps.Mapping mapping = Smaps.holding(start).orElseThrow();
            assertThat(mapping.path()).isEmpty();
            assertThat(mapping.flags()).contains("rd", "wr");
        }
        assertThat(Smaps.holding(start)).as("unmapped when the arena closed").isEmpty();
    }

    @Test
    void anEmptyRequestStillGetsAPage() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(AnonymousMemory.map(0, Libc.pageSize(), arena, "a test").byteSize()).isEqualTo(Libc.pageSize());
        }
    }

    @Test
    void aRequestTheKernelRefusesNamesTheSizeAndWhatItWasFor() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> AnonymousMemory.map(1L << 60, Libc.pageSize(), arena, "/models/m.gguf"))
                    .isInstanceOf(LinuxException.class)
                    .hasMessage("mmap(MAP_PRIVATE|MAP_ANONYMOUS) of 1048576.0 TiB of native memory for /models/m.gguf failed: ENOMEM (12)");
        }
    }
}
