package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.adapters.buffer.BufferRamStore;
import io.hive.preloader.adapters.hostsink.HostMemorySink;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.TransferCancelledException;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pipeline into the real host-memory sink, through core's preloader with the buffer store: the host sink's memory
 * is filled in place (no staging slot is taken), from RAM or straight from the file, with per-chunk progress,
 * checksums and cancellation.
 */
class IntoTheHostSinkTest {
    private static final long CHUNK = 64 * 1024;
    private static final ModelId MODEL = ModelId.of("m");

    @TempDir
    Path models;

    private final DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(CHUNK, 3);
    private byte[] contents;
    private ModelPreloader preloader;

    private ModelPreloader preloader(long size) {
        contents = ModelFiles.model(size, 9);
        ModelFiles.write(models, "m.gguf", contents);
        preloader = ModelPreloader.builder().source(new FolderSource(models)).store(new BufferRamStore(false))
                .budget(new ByteBudget(64 << 20)).sink(new HostMemorySink()).pipeline(pipeline).plan(PlanMode.STAGED).build();
        return preloader;
    }

    private long crc32c() {
        CRC32C crc = new CRC32C();
        crc.update(contents);
        return crc.getValue();
    }

    private static byte[] readBack(DeviceCopy copy) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment into = arena.allocate(Math.max(1, copy.bytes())).asSlice(0, copy.bytes());
            copy.readBack(0, into);
            return into.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    @AfterEach
    void noSlotAndNoThreadIsLeft() {
        if (preloader != null) {
            preloader.close();
        }
        assertThat(pipeline.liveSlots()).isZero();
        pipeline.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("staging-") && t.isAlive());
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {256, CHUNK, 17 * CHUNK + 3})
    void copiesAResidentModelInPlaceWithAMatchingChecksum(long size) throws Exception {
        ModelPreloader p = preloader(size);
        p.preload(MODEL).get();

        try (Transfer t = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true))) {
            assertThat(t.plan()).isEqualTo(new TransferPlan.Staged(Origin.RAM, "plan staged"));
            assertThat(readBack(t.copy())).isEqualTo(contents);
            assertThat(t.crc32c()).hasValue(crc32c());
        }
    }

    @Test
    void streamsAModelThatIsNotResidentStraightFromItsFile() {
        ModelPreloader p = preloader(33 * CHUNK + 1);

        try (Transfer t = p.transfer(MODEL, 0, TransferOptions.defaults().withChecksum(true))) {
            assertThat(t.plan()).isInstanceOfSatisfying(TransferPlan.Staged.class, s -> assertThat(s.from()).isEqualTo(Origin.DISK));
            assertThat(readBack(t.copy())).isEqualTo(contents);
            assertThat(t.crc32c()).hasValue(crc32c());
        }
        assertThat(p.stats().cache().entries()).isEmpty();
    }

    @Test
    void reportsProgressOncePerChunkUpToTheTotal() throws Exception {
        ModelPreloader p = preloader(10 * CHUNK + 7);
        p.preload(MODEL).get();
        java.util.List<Long> done = new java.util.ArrayList<>();

        p.transfer(MODEL, 0, TransferOptions.defaults().withProgress((bytes, total) -> done.add(bytes))).close();

        assertThat(done).hasSize(11).isSorted().endsWith(10 * CHUNK + 7);
    }

    @Test
    void aCancelledTransferStopsHalfwayAndLeavesTheModelUnleased() throws Exception {
        ModelPreloader p = preloader(300 * CHUNK);
        p.preload(MODEL).get();
        Cancellation cancellation = new Cancellation();
        long[] last = new long[1];

        assertThatThrownBy(() -> p.transfer(MODEL, 0, TransferOptions.defaults().withCancellation(cancellation).withProgress((done, total) -> {
            last[0] = done;
            if (done >= 10 * CHUNK) {
                cancellation.cancel("by the test");
            }
        }))).isInstanceOf(TransferCancelledException.class);

        assertThat(last[0]).isLessThan(300 * CHUNK);
        assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::leases).isEqualTo(0);
    }

    @Test
    void aFileThatShrankWhileItStreamedFailsNamingIt() {
        ModelPreloader p = preloader(20 * CHUNK);
        // Described at 20 chunks, then cut to 5 before the transfer reads it.
        Path file = models.resolve("m.gguf");
        var before = new FolderSource(models).find(MODEL).orElseThrow();
        ModelFiles.write(models, "m.gguf", ModelFiles.model(5 * CHUNK, 1));

        assertThatThrownBy(() -> io.hive.preloader.core.transfer.TransferRunner.staged(new HostMemorySink(), pipeline, MODEL,
                new io.hive.preloader.core.port.ChunkSource.ModelFile(file, before.size()), 0, TransferOptions.defaults(), java.util.Optional.empty()))
                .isInstanceOf(StoreException.class).hasMessageContaining("m.gguf is shorter than the " + 20 * CHUNK + " bytes expected");
        assertThat(p.stats().cache().entries()).isEmpty();
    }
}
