package io.hive.preloader.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class SmapsTest {
    private static final long HUGE = 2L << 20;

    @TempDir
    Path dir;

    @Test
    void showsHowAMappingWasAdvisedAndWhatBacksIt() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = AnonymousMemory.map(4 * HUGE, HUGE, arena, "a test");
            Libc.madvise(memory, Libc.Advice.MADV_DONTDUMP, "a test");
            boolean advised = Libc.adviseIfSupported(memory, Libc.Advice.MADV_HUGEPAGE, "a test");
            memory.fill((byte) 1);

            Smaps.Mapping mapping = Smaps.holding(memory.address() + HUGE).orElseThrow();

            assertThat(mapping.start()).isEqualTo(memory.address());
            assertThat(mapping.size()).isEqualTo(memory.byteSize());
            assertThat(mapping.flags()).contains("dd");
            assertThat(mapping.flags().contains("hg")).isEqualTo(advised);
            assertThat(mapping.field("Rss")).isEqualTo(memory.byteSize());
            assertThat(mapping.hugePageBytes()).isEqualTo(mapping.field("AnonHugePages")).isBetween(0L, memory.byteSize());
            assertThat(mapping.hugePageBytes() % HUGE).isZero();
        }
    }

    @Test
    void namesTheFileAMappingMaps() throws IOException {
        Path file = Files.write(dir.resolve("m.gguf"), new byte[8192]);
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, 8192, arena);

            String name = file.toRealPath().toString();

            assertThat(Smaps.holding(mapping.address()).orElseThrow().path()).isEqualTo(name);
            assertThat(Smaps.mappings()).filteredOn(m -> m.path().equals(name)).hasSize(1);
        }
    }

    @Test
    void noMappingHoldsAddressZero() {
        assertThat(Smaps.holding(0)).isEmpty();
        assertThat(Smaps.mappings()).isNotEmpty().allSatisfy(m -> assertThat(m.end()).isGreaterThan(m.start()));
    }
}
