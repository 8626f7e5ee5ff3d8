package io.hive.preloader.linux;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class PrefaulterTest {
    private static final long MIB = 1 << 20;

    // Shared arenas throughout: the prefaulter works on a thread of its own.
    private static long rss(MemorySegment memory) {
        return Smaps.holding(memory.address()).orElseThrow().field("Rss");
    }

    @Test
    void faultsInTheMemoryFromWhereItIsToldToItsEnd() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.map(64 * MIB, Libc.pageSize(), arena, "a test");
            assertThat(rss(memory)).isZero();

            Prefaulter prefaulter = Prefaulter.start(memory, 16 * MIB, "test-prefault");
            await().atMost(Duration.ofSeconds(30)).until(() -> rss(memory) == 48 * MIB);
            prefaulter.stop();

            assertThat(rss(memory)).as("the first 16 MiB were backed already: not touched").isEqualTo(48 * MIB);
        }
    }

    @Test
    void goesPastWhatAFillerClaimed() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.map(64 * MIB, Libc.pageSize(), arena, "a test");
            Prefaulter prefaulter = Prefaulter.start(memory, 64 * MIB - Libc.pageSize(), "test-prefault");
            prefaulter.claimed(64 * MIB);
            prefaulter.stop();

            assertThat(rss(memory)).isLessThanOrEqualTo(Libc.pageSize());
        }
    }

    @Test
    void onceStoppedItFaultsNothingMore() throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.map(512 * MIB, Libc.pageSize(), arena, "a test");
            Prefaulter prefaulter = Prefaulter.start(memory, 0, "test-prefault");
            await().atMost(Duration.ofSeconds(30)).until(() -> rss(memory) > 0);
            prefaulter.stop();
            long atStop = rss(memory);
            Thread.sleep(50);

            assertThat(rss(memory)).isEqualTo(atStop);
        }
    }

    @Test
    void refusesToStartOffAPage() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = AnonymousMemory.map(MIB, Libc.pageSize(), arena, "a test");

            assertThatThrownBy(() -> Prefaulter.start(memory, 100, "test-prefault")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("byte 100");
        }
    }
}
