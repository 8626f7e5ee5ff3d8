package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.cache.StaleModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.TransferCancelledException;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.FakeVramSink;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.SequentialStagingPipeline;
import io.hive.preloader.core.transfer.ChecksumMismatchException;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code transfer(id, device, options)}: the plan core picks, what it leaves registered, and what a failure leaves behind. */
class TransferPlansTest {
    static final long MiB = 1024 * 1024;
    static final long CHUNK = 256 * 1024;

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final SequentialStagingPipeline pipeline = new SequentialStagingPipeline(CHUNK, 4);
    final List<ModelPreloader> opened = new ArrayList<>();

    ModelPreloader preloader(FakeVramSink sink, PreloaderBuilder builder) {
        ModelPreloader p = builder.source(source).store(store).budget(new ByteBudget(64 * MiB)).sink(sink).chunkSize(CHUNK).build();
        opened.add(p);
        return p;
    }

    ModelPreloader preloader(FakeVramSink sink) {
        return preloader(sink, ModelPreloader.builder().pipeline(pipeline));
    }

    @AfterEach
    void nothingLeaks() {
        opened.forEach(ModelPreloader::close);
        assertThat(store.liveRegions()).as("regions left").isZero();
        assertThat(pipeline.liveSlots()).as("staging slots left").isZero();
    }

    static MemorySegment readBack(DeviceCopy copy) {
        MemorySegment into = Arena.ofAuto().allocate(Math.max(1, copy.bytes())).asSlice(0, copy.bytes());
        copy.readBack(0, into);
        return into;
    }

    static boolean matches(DeviceCopy copy, ModelDescriptor model) {
        return FakeStore.matches(readBack(copy), model);
    }

    static long crc32c(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return crc.getValue();
    }

    @Nested
    class Plans {
        @Test
        void aResidentModelThatTheSinkCanPinGoesDirectAndStaysRegisteredWhileResident() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", 3 * MiB + 5);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);

            try (Transfer first = p.transfer(a, 0, TransferOptions.defaults());
                 Transfer second = p.transfer(a, 1, TransferOptions.defaults())) {
                assertThat(first.plan()).isEqualTo(new TransferPlan.Direct(true, "resident and pinned"));
                assertThat(second.plan()).isInstanceOf(TransferPlan.Direct.class);
                assertThat(matches(first.copy(), source.describe(a))).isTrue();
                assertThat(matches(second.copy(), source.describe(a))).isTrue();
                assertThat(second.copy().device()).isEqualTo(1);
            }

            assertThat(sink.registrations()).as("registered once, kept for the next transfer").isEqualTo(1);
            assertThat(sink.liveRegistrations()).isEqualTo(1);
            assertThat(p.evict(a)).isTrue();
            assertThat(sink.liveRegistrations()).as("unregistered when the region went").isZero();
            assertThat(sink.misuse()).as("unregistered before the region was freed").isEmpty();
            assertThat(sink.liveAllocations()).isZero();
        }

        @Test
        void anEvictedModelStillLeasedKeepsItsRegistrationUntilTheLastLeaseCloses() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);
            p.transfer(a, 0).close();

            try (var lease = p.open(a).orElseThrow()) {
                p.evict(a);
                assertThat(sink.liveRegistrations()).isEqualTo(1);
                assertThat(lease.bytes().byteSize()).isEqualTo(MiB);
            }
            // The last lease hands the release to the releaser thread, which unregisters before it frees.
            await().until(() -> sink.liveRegistrations() == 0);
            assertThat(sink.misuse()).isEmpty();
        }

        @Test
        void closingThePreloaderUnregistersEveryResidentModel() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);
            p.transfer(a, 0).close();

            p.close();

            assertThat(sink.liveRegistrations()).isZero();
            assertThat(sink.misuse()).isEmpty();
        }

        @Test
        void closingThePreloaderClosesItsPipelineThenFreesEveryModelThenClosesItsSink() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);
            p.transfer(a, 0).close();
            p.transfer(a, 0, TransferOptions.defaults().withPlan(PlanMode.STAGED)).close();
            assertThat(sink.liveRegistrations()).as("the resident model's region").isEqualTo(1);

            p.close();

            assertThat(pipeline.closed()).isTrue();
            assertThat(sink.closed()).isTrue();
            assertThat(sink.liveRegistrations()).isZero();
            assertThat(sink.misuse()).as("nothing registered when the sink closed, nothing unregistered after").isEmpty();
            assertThat(store.liveRegions()).isZero();
        }

        @Test
        void aResidentModelThatCannotBePinnedIsStagedFromRam() throws Exception {
            FakeVramSink sink = new FakeVramSink(false);
            ModelId a = source.add("a", 2 * MiB + 1);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);

            try (Transfer t = p.transfer(a, 0, TransferOptions.defaults())) {
                assertThat(t.plan()).isInstanceOf(TransferPlan.Staged.class);
                assertThat(((TransferPlan.Staged) t.plan()).from()).isEqualTo(Origin.RAM);
                assertThat(matches(t.copy(), source.describe(a))).isTrue();
            }
            assertThat(p.stats().hits()).isEqualTo(1);
            assertThat(p.stats().transfers()).isEqualTo(1);
        }

        @Test
        void withoutAPipelineAModelThatIsNotResidentIsLoadedFirst() {
            FakeVramSink sink = new FakeVramSink(false);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink, ModelPreloader.builder());

            try (Transfer t = p.transfer(a, 0, TransferOptions.defaults())) {
                assertThat(t.plan()).isEqualTo(new TransferPlan.Direct(false, "resident, not pinnable and no staging pipeline: pageable copy"));
                assertThat(matches(t.copy(), source.describe(a))).isTrue();
            }
            assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::state).isEqualTo(CacheSnapshot.State.RESIDENT);
        }

        @Test
        void planDirectLoadsAModelThatIsNotResidentAndPinsIt() {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);

            try (Transfer t = p.transfer(a, 0, TransferOptions.defaults().withPlan(PlanMode.DIRECT))) {
                assertThat(t.plan()).isEqualTo(new TransferPlan.Direct(true, "plan direct; region pinned"));
                assertThat(matches(t.copy(), source.describe(a))).isTrue();
            }
            assertThat(store.loads(a)).isEqualTo(1);
        }

        @Test
        void planStagedStagesEvenAPinnableResidentModel() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink, ModelPreloader.builder().pipeline(pipeline).plan(PlanMode.STAGED));
            p.preload(a).get(10, TimeUnit.SECONDS);

            try (Transfer t = p.transfer(a, 0, TransferOptions.defaults())) {
                assertThat(t.plan()).isEqualTo(new TransferPlan.Staged(Origin.RAM, "plan staged"));
                assertThat(matches(t.copy(), source.describe(a))).isTrue();
            }
        }

        @Test
        void theOldTransferReturnsTheSinksCopy() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);

            try (DeviceCopy copy = p.transfer(a, 2)) {
                assertThat(copy.device()).isEqualTo(2);
                assertThat(matches(copy, source.describe(a))).isTrue();
            }
        }
    }

    @Nested
    class FromDisk {
        @TempDir
        Path models;

        ModelPreloader fromFolder(FakeVramSink sink) {
            ModelPreloader p = ModelPreloader.builder().source(new FolderSource(models)).store(store).budget(new ByteBudget(64 * MiB))
                    .sink(sink).pipeline(pipeline).build();
            opened.add(p);
            return p;
        }

        @Test
        void aModelThatIsNotResidentStreamsFromItsFileWithoutBeingLoaded() {
            byte[] contents = ModelFiles.model(3 * CHUNK + 17, 5);
            ModelFiles.write(models, "m.gguf", contents);
            FakeVramSink sink = new FakeVramSink(true);
            ModelPreloader p = fromFolder(sink);

            try (Transfer t = p.transfer(ModelId.of("m"), 0, TransferOptions.defaults().withChecksum(true))) {
                assertThat(t.plan()).isInstanceOf(TransferPlan.Staged.class);
                assertThat(((TransferPlan.Staged) t.plan()).from()).isEqualTo(Origin.DISK);
                assertThat(readBack(t.copy()).mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
                assertThat(t.crc32c()).hasValue(crc32c(MemorySegment.ofArray(contents)));
            }
            assertThat(p.stats().cache().entries()).as("not admitted").isEmpty();
            assertThat(p.stats().misses()).isEqualTo(1);
            assertThat(store.loads(ModelId.of("m"))).isZero();
            assertThat(sink.liveAllocations()).isZero();
        }

        @Test
        void aFileReplacedWhileItStreamsFailsTheTransferAndFreesTheCopy() {
            Path file = ModelFiles.write(models, "m.gguf", ModelFiles.model(8 * CHUNK, 5));
            FakeVramSink sink = new FakeVramSink(true);
            ModelPreloader p = fromFolder(sink);
            TransferOptions options = TransferOptions.defaults().withProgress((done, total) -> {
                if (done == CHUNK) {
                    ModelFiles.replace(file, ModelFiles.model(8 * CHUNK, 6));
                }
            });

            assertThatThrownBy(() -> p.transfer(ModelId.of("m"), 0, options))
                    .isInstanceOf(StaleModelException.class).hasMessageContaining("replaced or removed on disk");
            assertThat(sink.liveAllocations()).isZero();
        }
    }

    @Nested
    class ProgressCancellationAndChecksums {
        @Test
        void reportsProgressOncePerChunkOnEitherPlan() throws Exception {
            ModelId a = source.add("a", 10 * CHUNK + 1);
            for (boolean pinnable : new boolean[]{true, false}) {
                FakeVramSink sink = new FakeVramSink(pinnable);
                ModelPreloader p = preloader(sink);
                p.preload(a).get(10, TimeUnit.SECONDS);
                List<Long> done = new ArrayList<>();

                p.transfer(a, 0, TransferOptions.defaults().withProgress((bytes, total) -> {
                    synchronized (done) {
                        done.add(bytes);
                    }
                })).close();

                assertThat(done).as("pinnable " + pinnable).hasSize(11).isSorted().endsWith(10 * CHUNK + 1);
                p.close();
            }
        }

        @Test
        void aChecksumComparesWhatReachedTheDeviceWithTheSource() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", 5 * CHUNK + 3);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);
            long expected;
            try (var lease = p.open(a).orElseThrow()) {
                expected = crc32c(lease.bytes());
            }

            for (PlanMode mode : new PlanMode[]{PlanMode.DIRECT, PlanMode.STAGED}) {
                try (Transfer t = p.transfer(a, 0, TransferOptions.defaults().withPlan(mode).withChecksum(true))) {
                    assertThat(t.crc32c()).as(mode.name()).hasValue(expected);
                }
            }
        }

        @Test
        void aCorruptedCopyFailsTheChecksumNamingTheChunkAndIsFreed() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            sink.corrupt(3 * CHUNK + 10);
            ModelId a = source.add("a", 5 * CHUNK);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);

            assertThatThrownBy(() -> p.transfer(a, 0, TransferOptions.defaults().withChecksum(true)))
                    .isInstanceOf(ChecksumMismatchException.class)
                    .hasMessageContaining("chunk 3 (bytes " + 3 * CHUNK + " to " + 4 * CHUNK + ")");
            assertThat(sink.liveAllocations()).isZero();
            assertThat(p.stats().transfers()).isZero();
        }

        @Test
        void aCancelledTransferLeavesNoAllocationNoSlotAndTheModelUnleased() throws Exception {
            ModelId a = source.add("a", 40 * CHUNK);
            for (PlanMode mode : new PlanMode[]{PlanMode.DIRECT, PlanMode.STAGED}) {
                FakeVramSink sink = new FakeVramSink(true);
                ModelPreloader p = preloader(sink);
                p.preload(a).get(10, TimeUnit.SECONDS);
                Cancellation cancellation = new Cancellation();
                TransferOptions options = TransferOptions.defaults().withPlan(mode).withCancellation(cancellation)
                        .withProgress((done, total) -> {
                            if (done >= 5 * CHUNK) {
                                cancellation.cancel("by the hive");
                            }
                        });

                assertThatThrownBy(() -> p.transfer(a, 0, options)).as(mode.name())
                        .isInstanceOf(TransferCancelledException.class).hasMessageContaining("by the hive");
                assertThat(sink.liveAllocations()).isZero();
                assertThat(pipeline.liveSlots()).isZero();
                assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::leases).isEqualTo(0);
                p.close();
                assertThat(sink.liveRegistrations()).isZero();
            }
        }

        @Test
        void aTransferCancelledBeforeItStartsAllocatesNothing() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);
            Cancellation cancellation = new Cancellation();
            cancellation.cancel();

            assertThatThrownBy(() -> p.transfer(a, 0, TransferOptions.defaults().withCancellation(cancellation)))
                    .isInstanceOf(TransferCancelledException.class);
            assertThat(sink.liveAllocations()).isZero();
        }

        @Test
        void aDeviceOutOfMemoryLeavesNothingBehind() throws Exception {
            FakeVramSink sink = new FakeVramSink(true);
            sink.failAllocation(new StoreException("device 0: out of memory"));
            ModelId a = source.add("a", MiB);
            ModelPreloader p = preloader(sink);
            p.preload(a).get(10, TimeUnit.SECONDS);

            for (PlanMode mode : PlanMode.values()) {
                assertThatThrownBy(() -> p.transfer(a, 0, TransferOptions.defaults().withPlan(mode))).hasMessageContaining("out of memory");
            }
            assertThat(sink.liveAllocations()).isZero();
            assertThat(p.stats().cache().entries()).singleElement().extracting(CacheSnapshot.Entry::leases).isEqualTo(0);
        }

        @Test
        void aCopyFailingHalfwayLeavesNothingBehind() throws Exception {
            ModelId a = source.add("a", 20 * CHUNK);
            for (PlanMode mode : new PlanMode[]{PlanMode.DIRECT, PlanMode.STAGED}) {
                FakeVramSink sink = new FakeVramSink(true);
                sink.failCopy(7);
                ModelPreloader p = preloader(sink);
                p.preload(a).get(10, TimeUnit.SECONDS);

                assertThatThrownBy(() -> p.transfer(a, 0, TransferOptions.defaults().withPlan(mode))).as(mode.name())
                        .isInstanceOf(StoreException.class).hasMessageContaining("copy 7 failed");
                assertThat(sink.liveAllocations()).isZero();
                assertThat(pipeline.liveSlots()).isZero();
                p.close();
            }
        }
    }

    @Nested
    class Configuration {
        @Test
        void planStagedWithoutAPipelineIsRefusedWhenBuilt() {
            assertThatThrownBy(() -> ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(MiB))
                    .plan(PlanMode.STAGED).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("plan staged needs a staging pipeline: call pipeline(...) too, or use plan auto or direct");
        }

        @Test
        void aChunkSizeOutOfRangeIsRefused() {
            assertThatThrownBy(() -> ModelPreloader.builder().chunkSize(100)).hasMessageContaining("4 KiB to 1 GiB");
        }

        @Test
        void checksumsAreKeptPerChunkOfThePlansChunkSize() {
            assertThat(ChunkChecksums.of(10 * CHUNK, CHUNK).chunks()).isEqualTo(10);
        }
    }
}
