package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.Smaps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The memory of models evicted to make room, kept for the load: reused without faulting, bounded, given back. */
class SpareMemoryTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private ModelDescriptor model(String name, int size, int seed) {
        return ModelFiles.describe(ModelFiles.write(dir, name + ".gguf", ModelFiles.model(size, seed)));
    }

    private ResidentRegion load(BufferRamStore store, String name, int size, int seed) {
        return store.load(model(name, size, seed), LoadProgress.NONE);
    }

    private static BufferRamStore keeping(long limit, Duration keep) {
        return new BufferRamStore(false, limit, keep);
    }

    /** Minor page faults of this process so far, all threads: field 10 of /proc/self/stat. */
    private static long minorFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    }

    /** Bytes of the store's copies mapped now: anonymous mappings advised MADV_DONTDUMP, as BufferFaultTest counts them. */
    private static long copiesMapped() {
        return Smaps.mappings().stream().filter(m -> m.path().isEmpty() && m.flags().contains("dd")).mapToLong(Smaps.Mapping::size).sum();
    }

    /** What a copy of {@code bytes} maps: an eighth more, in whole pages. */
    private static long mappingFor(long bytes) {
        return bytes + bytes / CopyMemory.HEADROOM;
    }

    @Test
    void theNextLoadOfASimilarSizeWritesIntoTheEvictedModelsMemoryWithoutFaultingIt() throws IOException {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        ResidentRegion first = load(store, "a", 64 * MIB, 1);
        long address = first.bytes().address();
        first.release(ResidentRegion.Release.MAKE_ROOM);
        assertThat(store.spareBytes()).isEqualTo(64L * MIB);

        ModelDescriptor second = model("b", 64 * MIB - 12_345, 2);
        long faultsBefore = minorFaults();
        ResidentRegion reused = store.load(second, LoadProgress.NONE);
        long faults = minorFaults() - faultsBefore;
        try {
            assertThat(reused.bytes().address()).as("the same memory").isEqualTo(address);
            assertThat(faults).as("page faults of a 16384-page copy into backed memory").isLessThan(2048);
            assertThat(reused.bytes().mismatch(MemorySegment.ofArray(Files.readAllBytes(second.path())))).isEqualTo(-1);
            assertThat(store.spareBytes()).isZero();
        } finally {
            reused.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);
        }
    }

    @Test
    void aReleasedModelCannotBeReadThroughItsOldBytesOnceItsMemoryHoldsTheNext() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        ResidentRegion first = load(store, "a", 4 * MIB, 3);
        MemorySegment old = first.bytes();
        first.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion next = load(store, "b", 4 * MIB, 4);
        try {
            assertThat(next.bytes().address()).isEqualTo(old.address());
            assertThatThrownBy(() -> old.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
        } finally {
            next.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);
        }
    }

    @Test
    void aLoadThatMustFaultFreshMemoryFirstGivesTheSpareBack() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion small = load(store, "small", 4 * MIB, 5);
        small.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion large = load(store, "large", 16 * MIB, 6);
        try {
            assertThat(store.spareBytes()).isZero();
            assertThat(copiesMapped() - before).as("the large model's mapping alone: the small one's is gone")
                    .isEqualTo(mappingFor(16 * MIB));
        } finally {
            large.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);
        }
    }

    @Test
    void aReusedMappingLargerThanTheCopyGivesItsExcessPagesBack() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        ResidentRegion large = load(store, "large", 16 * MIB, 7);
        large.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion smaller = load(store, "smaller", 10 * MIB, 8);
        try {
            assertThat(Smaps.holding(smaller.bytes().address()).orElseThrow().field("Rss")).isEqualTo(10L * MIB);
        } finally {
            smaller.release(ResidentRegion.Release.MAKE_ROOM);
        }
        assertThat(store.spareBytes()).as("the trimmed mapping, kept again").isEqualTo(10L * MIB);
        store.giveBackSpare(Long.MAX_VALUE);
    }

    @Test
    void whatIsKeptStaysWithinTheLimitOldestGivenBackFirst() {
        BufferRamStore store = keeping(10L * MIB, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion a = load(store, "a", 8 * MIB, 9);
        ResidentRegion b = load(store, "b", 6 * MIB, 10);

        a.release(ResidentRegion.Release.MAKE_ROOM);
        b.release(ResidentRegion.Release.MAKE_ROOM);

        assertThat(store.spareBytes()).isEqualTo(6L * MIB);
        assertThat(copiesMapped() - before).as("the newer model's mapping alone").isEqualTo(mappingFor(6 * MIB));
        assertThat(store.giveBackSpare(Long.MAX_VALUE)).isEqualTo(6L * MIB);
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void keptMemoryIsUnmappedOnceItsTimeIsUp() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMillis(200));
        long before = copiesMapped();
        ResidentRegion region = load(store, "a", 4 * MIB, 11);
        region.release(ResidentRegion.Release.MAKE_ROOM);
        assertThat(store.spareBytes()).isEqualTo(4L * MIB);

        await().atMost(Duration.ofSeconds(10)).until(() -> store.spareBytes() == 0);
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void givingBackUnmapsOldestFirstUntilEnoughIsFree() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion a = load(store, "a", 4 * MIB, 12);
        ResidentRegion b = load(store, "b", 4 * MIB, 13);
        a.release(ResidentRegion.Release.MAKE_ROOM);
        b.release(ResidentRegion.Release.MAKE_ROOM);

        assertThat(store.giveBackSpare(MIB)).as("one mapping is enough").isEqualTo(4L * MIB);

        assertThat(store.spareBytes()).isEqualTo(4L * MIB);
        assertThat(copiesMapped() - before).isEqualTo(mappingFor(4 * MIB));
        store.giveBackSpare(Long.MAX_VALUE);
    }

    static Stream<Arguments> unmapsAtOnce() {
        return Stream.of(
                Arguments.of("a shutdown", ResidentRegion.Release.RETAIN_PAGE_CACHE, 1L << 30),
                Arguments.of("an eviction that makes room for no load", ResidentRegion.Release.DROP, Long.MAX_VALUE),
                Arguments.of("a store without room for spare memory", ResidentRegion.Release.MAKE_ROOM, 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void unmapsAtOnce(String what, ResidentRegion.Release how, long limit) {
        BufferRamStore store = keeping(limit, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion region = load(store, "a", 4 * MIB, 14);

        region.release(how);

        assertThat(store.spareBytes()).isZero();
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void theCacheHandsTheMemoryOfAModelItEvictsToTheModelItAdmitsInstead() throws Exception {
        BufferRamStore store = new BufferRamStore();
        model("a", 8 * MIB, 17);
        ModelDescriptor b = model("b", 8 * MIB - 999, 18);
        try (ModelPreloader preloader = ModelPreloader.builder().source(new FolderSource(dir)).store(store)
                .budget(new ByteBudget(12L * MIB)).build()) {
            long first;
            try (Lease lease = preloader.get(ModelId.of("a"))) {
                first = lease.bytes().address();
            }

            try (Lease lease = preloader.get(ModelId.of("b"))) {
                assertThat(lease.bytes().address()).as("a's memory, a evicted to admit b").isEqualTo(first);
                assertThat(lease.bytes().mismatch(MemorySegment.ofArray(Files.readAllBytes(b.path())))).isEqualTo(-1);
            }
            assertThat(store.spareBytes()).isZero();
        }
    }
}
