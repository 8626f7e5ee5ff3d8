package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.FakeVramSink;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link StagingPipeline} must do, into a {@link FakeVramSink} whose copies only happen when their lane
 * is awaited (so a slot reused too early sends wrong bytes). Each pipeline's test extends this class, says how to
 * make the pipeline, and how much staging memory it still holds.
 */
public abstract class StagingPipelineContract {
    protected static final long CHUNK = 64 * 1024;
    private static final ModelId MODEL = ModelId.of("model");

    @TempDir
    protected Path dir;

    /** A pipeline with chunks of {@code chunkSize} bytes, {@code readers} reader stages, and at least two slots. */
    protected abstract StagingPipeline newPipeline(long chunkSize, int readers);

    /** Staging slots the pipeline holds now (0 once every run has returned). */
    protected abstract int liveSlots(StagingPipeline pipeline);

    private record Run(MemorySegment copied, List<long[]> progress) {
    }

    /** Runs one transfer into a fresh writer of {@code sink}, reads the copy back and frees it. */
    private static Run run(StagingPipeline pipeline, FakeVramSink sink, ChunkSource source, Optional<ChunkChecksums> checksums,
                           Cancellation cancellation) {
        List<long[]> progress = new CopyOnWriteArrayList<>();
        try (DeviceWriter writer = sink.allocate(MODEL, source.size(), 0, pipeline.slots())) {
            pipeline.run(new StagedTransfer(MODEL, source, writer, sink, (done, total) -> progress.add(new long[]{done, total}),
                    cancellation, checksums));
            try (DeviceCopy copy = writer.finish(java.time.Duration.ofNanos(1))) {
                MemorySegment copied = Arena.ofAuto().allocate(Math.max(1, copy.bytes())).asSlice(0, copy.bytes());
                if (copy.bytes() > 0) {
                    copy.readBack(0, copied);
                }
                return new Run(copied, progress);
            }
        }
    }

    /** After a transfer that failed or was cancelled: nothing at all, before the pipeline is even closed. */
    private void assertNothingLeft(StagingPipeline pipeline, FakeVramSink sink) {
        assertThat(liveSlots(pipeline)).as("staging slots left").isZero();
        assertThat(sink.liveRegistrations()).as("registrations left").isZero();
        assertThat(sink.liveAllocations()).as("device allocations left").isZero();
        assertThat(sink.misuse()).as("misuse of the sink").isEmpty();
    }

    /** After transfers that succeeded: staging memory may be kept registered for the next one, until closed. */
    private void assertNothingLeftOnceClosed(StagingPipeline pipeline, FakeVramSink sink) {
        assertThat(liveSlots(pipeline)).as("staging slots in use").isZero();
        pipeline.close();
        assertNothingLeft(pipeline, sink);
    }

    @ParameterizedTest(name = "{0} bytes, {1} readers, pinnable sink {2}")
    @CsvSource({
            "1, 1, true", "65535, 2, true", "65536, 1, false", "65537, 3, true",
            "1048589, 1, false", "1048589, 3, true", "3145741, 4, false"})
    void copiesEveryByteFromMemory(long size, int readers, boolean pinnable) {
        byte[] contents = ModelFiles.randomBytes(size, size); // bytes in memory, down to one
        StagingPipeline pipeline = newPipeline(CHUNK, readers);
        FakeVramSink sink = new FakeVramSink(pinnable);

        Run run = run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(contents).asReadOnly()), Optional.empty(), new Cancellation());

        assertThat(run.copied().mismatch(MemorySegment.ofArray(contents))).as("first differing byte").isEqualTo(-1L);
        assertThat(sink.maxCopiesInFlight()).as("copies in flight").isLessThanOrEqualTo(pipeline.slots());
        assertNothingLeftOnceClosed(pipeline, sink);
    }

    @ParameterizedTest(name = "{0} bytes, {1} readers")
    @CsvSource({"1, 1", "65536, 2", "2097169, 3"})
    void copiesEveryByteStraightFromTheFile(long size, int readers) {
        // A pipeline streams bytes of any size, down to one; whether they are a model is checked before it.
        byte[] contents = ModelFiles.randomBytes(size, 7);
        Path file = ModelFiles.write(dir, "m.bin", contents);
        StagingPipeline pipeline = newPipeline(CHUNK, readers);
        FakeVramSink sink = new FakeVramSink(true);

        Run run = run(pipeline, sink, new ChunkSource.ModelFile(file, size), Optional.empty(), new Cancellation());

        assertThat(run.copied().mismatch(MemorySegment.ofArray(contents))).as("first differing byte").isEqualTo(-1L);
        assertNothingLeftOnceClosed(pipeline, sink);
    }

    @Test
    void reportsProgressOncePerChunkUpToTheTotal() {
        long size = 10 * CHUNK + 5;
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);

        Run run = run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) size])), Optional.empty(), new Cancellation());

        assertThat(run.progress()).hasSize(11);
        assertThat(run.progress()).allSatisfy(p -> assertThat(p[1]).isEqualTo(size));
        assertThat(run.progress()).extracting(p -> p[0]).isSorted().endsWith(size);
    }

    @Test
    void hashesEveryChunkItReads() {
        byte[] contents = ModelFiles.model(7 * CHUNK + 99, 3);
        Path file = ModelFiles.write(dir, "m.gguf", contents);
        StagingPipeline pipeline = newPipeline(CHUNK, 3);
        ChunkChecksums fromMemory = ChunkChecksums.of(contents.length, CHUNK);
        ChunkChecksums fromFile = ChunkChecksums.of(contents.length, CHUNK);

        run(pipeline, new FakeVramSink(true), new ChunkSource.Memory(MemorySegment.ofArray(contents)), Optional.of(fromMemory), new Cancellation());
        run(pipeline, new FakeVramSink(true), new ChunkSource.ModelFile(file, contents.length), Optional.of(fromFile), new Cancellation());

        long expected = ChunkChecksums.of(MemorySegment.ofArray(contents), CHUNK).whole();
        assertThat(fromMemory.whole()).isEqualTo(expected);
        assertThat(fromFile.whole()).isEqualTo(expected);
    }

    @Test
    void pinsItsStagingMemoryThroughTheSinkAndUnpinsItWhenClosed() {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);

        run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) (4 * CHUNK)])), Optional.empty(), new Cancellation());
        run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) (4 * CHUNK)])), Optional.empty(), new Cancellation());

        assertThat(sink.registrations()).isPositive();
        assertNothingLeftOnceClosed(pipeline, sink);
    }

    @Test
    void aTransferFailingAfterASuccessfulOneLeavesNoRegistrationBehind() {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);
        run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) (4 * CHUNK)])), Optional.empty(), new Cancellation());
        sink.failCopy(sink.copies() + 2);

        assertThatThrownBy(() -> run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) (20 * CHUNK)])),
                Optional.empty(), new Cancellation())).isInstanceOf(StoreException.class);
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void cancelledHalfwayStopsAndLeavesNothingBehind() {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);
        Cancellation cancellation = new Cancellation();
        List<Long> seen = new ArrayList<>();
        long size = 200 * CHUNK;

        assertThatThrownBy(() -> {
            try (DeviceWriter writer = sink.allocate(MODEL, size, 0, pipeline.slots())) {
                pipeline.run(new StagedTransfer(MODEL, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) size])), writer, sink,
                        (done, total) -> {
                            synchronized (seen) {
                                seen.add(done);
                            }
                            if (done >= 3 * CHUNK) {
                                cancellation.cancel("by the test");
                            }
                        }, cancellation, Optional.empty()));
            }
        }).isInstanceOf(TransferCancelledException.class).hasMessageContaining("by the test");

        synchronized (seen) {
            assertThat(seen.getLast()).isLessThan(size);
        }
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void anInterruptedCallerCancelsTheTransfer() throws Exception {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);
        long size = 400 * CHUNK;
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().start(() -> {
            caller.set(Thread.currentThread());
            try (DeviceWriter writer = sink.allocate(MODEL, size, 0, pipeline.slots())) {
                pipeline.run(new StagedTransfer(MODEL, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) size])), writer, sink,
                        (done, total) -> {
                            if (done == 2 * CHUNK) {
                                caller.get().interrupt();
                            }
                        }, new Cancellation(), Optional.empty()));
                outcome.complete(null);
            } catch (Throwable t) {
                stillInterrupted.set(Thread.currentThread().isInterrupted());
                outcome.completeExceptionally(t);
            }
        });
        thread.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(outcome).isCompletedExceptionally();
        assertThatThrownBy(outcome::join).hasCauseInstanceOf(TransferCancelledException.class);
        assertThat(stillInterrupted).as("the interrupt is kept for the caller").isTrue();
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void aFailingCopyFailsTheTransferWithTheSinksErrorAndLeavesNothingBehind() {
        StagingPipeline pipeline = newPipeline(CHUNK, 3);
        FakeVramSink sink = new FakeVramSink(true);
        sink.failCopy(5);

        assertThatThrownBy(() -> run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[(int) (50 * CHUNK)])),
                Optional.empty(), new Cancellation()))
                .isInstanceOf(StoreException.class).hasMessageContaining("copy 5 failed");
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void aFileShorterThanExpectedFailsNamingIt() {
        Path file = ModelFiles.write(dir, "short.gguf", new byte[(int) (3 * CHUNK)]);
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);

        assertThatThrownBy(() -> run(pipeline, sink, new ChunkSource.ModelFile(file, 5 * CHUNK), Optional.empty(), new Cancellation()))
                .isInstanceOf(StoreException.class).hasMessageContaining("short.gguf");
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void aMissingFileFailsNamingIt() {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);

        assertThatThrownBy(() -> run(pipeline, sink, new ChunkSource.ModelFile(dir.resolve("gone.gguf"), CHUNK), Optional.empty(), new Cancellation()))
                .isInstanceOf(StoreException.class).hasMessageContaining("gone.gguf");
        assertNothingLeft(pipeline, sink);
    }

    @Test
    void copiesAnEmptyModel() {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);

        Run run = run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(new byte[0])), Optional.empty(), new Cancellation());

        assertThat(run.copied().byteSize()).isZero();
        assertNothingLeftOnceClosed(pipeline, sink);
    }

    @Test
    void runsSeveralTransfersAtOnce() throws Exception {
        StagingPipeline pipeline = newPipeline(CHUNK, 2);
        FakeVramSink sink = new FakeVramSink(true);
        List<CompletableFuture<Boolean>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] contents = ModelFiles.model(20 * CHUNK + i, i);
            runs.add(CompletableFuture.supplyAsync(() -> run(pipeline, sink, new ChunkSource.Memory(MemorySegment.ofArray(contents)),
                    Optional.empty(), new Cancellation()).copied().mismatch(MemorySegment.ofArray(contents)) == -1));
        }
        for (CompletableFuture<Boolean> r : runs) {
            assertThat(r.get(60, TimeUnit.SECONDS)).isTrue();
        }
        assertNothingLeftOnceClosed(pipeline, sink);
    }
}
