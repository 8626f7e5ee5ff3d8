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
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The memory of models evicted to make room, kept for the load: reused without faulting, bounded, given back. */
class SpareMemoryTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private ModelDescriptor model(String name, int size, int seed) {
        return ModelFiles.describe(ModelFiles.write(dir, name + ".gguf", ModelFiles.randomBytes(size, seed)));
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
        ResidentRegion first = store.load(model("a", 64 * MIB, 1), LoadProgress.NONE);
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
        ResidentRegion first = store.load(model("a", 4 * MIB, 3), LoadProgress.NONE);
        MemorySegment old = first.bytes();
        first.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion next = store.load(model("b", 4 * MIB, 4), LoadProgress.NONE);
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
        ResidentRegion small = store.load(model("small", 4 * MIB, 5), LoadProgress.NONE);
        small.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion large = store.load(model("large", 16 * MIB, 6), LoadProgress.NONE);
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
        ResidentRegion large = store.load(model("large", 16 * MIB, 7), LoadProgress.NONE);
        large.release(ResidentRegion.Release.MAKE_ROOM);

        ResidentRegion smaller = store.load(model("smaller", 10 * MIB, 8), LoadProgress.NONE);
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
        ResidentRegion a = store.load(model("a", 8 * MIB, 9), LoadProgress.NONE);
        ResidentRegion b = store.load(model("b", 6 * MIB, 10), LoadProgress.NONE);

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
        ResidentRegion region = store.load(model("a", 4 * MIB, 11), LoadProgress.NONE);
        region.release(ResidentRegion.Release.MAKE_ROOM);
        assertThat(store.spareBytes()).isEqualTo(4L * MIB);

        await().atMost(Duration.ofSeconds(10)).until(() -> store.spareBytes() == 0);
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void givingBackUnmapsOldestFirstUntilEnoughIsFree() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion a = store.load(model("a", 4 * MIB, 12), LoadProgress.NONE);
        ResidentRegion b = store.load(model("b", 4 * MIB, 13), LoadProgress.NONE);
        a.release(ResidentRegion.Release.MAKE_ROOM);
        b.release(ResidentRegion.Release.MAKE_ROOM);

        assertThat(store.giveBackSpare(MIB)).as("one mapping is enough").isEqualTo(4L * MIB);

        assertThat(store.spareBytes()).isEqualTo(4L * MIB);
        assertThat(copiesMapped() - before).isEqualTo(mappingFor(4 * MIB));
        store.giveBackSpare(Long.MAX_VALUE);
    }

    @Test
    void aShutdownUnmapsInsteadOfKeeping() {
        BufferRamStore store = keeping(1L << 30, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion region = store.load(model("a", 4 * MIB, 14), LoadProgress.NONE);

        region.release(ResidentRegion.Release.RETAIN_PAGE_CACHE);

        assertThat(store.spareBytes()).isZero();
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void anEvictionThatMakesRoomForNoLoadUnmapsAtOnce() {
        BufferRamStore store = new BufferRamStore();
        long before = copiesMapped();
        ResidentRegion region = store.load(model("a", 4 * MIB, 15), LoadProgress.NONE);

        region.release(ResidentRegion.Release.DROP);

        assertThat(store.spareBytes()).isZero();
        assertThat(copiesMapped()).isEqualTo(before);
    }

    @Test
    void aStoreWithoutRoomForSpareMemoryKeepsNothing() {
        BufferRamStore store = keeping(0, Duration.ofMinutes(1));
        long before = copiesMapped();
        ResidentRegion region = store.load(model("a", 4 * MIB, 16), LoadProgress.NONE);

        region.release(ResidentRegion.Release.MAKE_ROOM);

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
