package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.adapters.buffer.BufferRamStore;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.StagingPipelineContract;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FakeVramSink;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DisruptorTransferPipelineTest extends StagingPipelineContract {
    private final List<DisruptorTransferPipeline> made = new ArrayList<>();

    @Override
    protected StagingPipeline newPipeline(long chunkSize, int readers) {
        DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(chunkSize, readers);
        made.add(pipeline);
        return pipeline;
    }

    @Override
    protected int liveSlots(StagingPipeline pipeline) {
        return ((DisruptorTransferPipeline) pipeline).liveSlots();
    }

    @AfterEach
    void noStagingThreadOutlivesItsTransfer() {
        made.forEach(DisruptorTransferPipeline::close);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("staging-") && t.isAlive());
    }

    @Test
    void shouldSizeTheRingAtTwoSlotsPerReaderRoundedUpToAPowerOfTwo() {
        assertThat(new DisruptorTransferPipeline(CHUNK, 1).slots()).isEqualTo(2);
        assertThat(new DisruptorTransferPipeline(CHUNK, 3).slots()).isEqualTo(8);
        assertThat(new DisruptorTransferPipeline(CHUNK, 4).slots()).isEqualTo(8);
        assertThat(new DisruptorTransferPipeline(CHUNK, 12).slots()).isEqualTo(32);
    }

    @Test
    void shouldKeepItsStagingMemoryRegisteredForTheNextTransferToTheSameSinkAndFreeItWhenClosed() {
        DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(CHUNK, 2);
        made.add(pipeline);
        FakeVramSink sink = new FakeVramSink(true);
        FakeVramSink other = new FakeVramSink(true);
        ModelId model = ModelId.of("m");
        java.lang.foreign.MemorySegment bytes = java.lang.foreign.MemorySegment.ofArray(new byte[(int) (10 * CHUNK)]);

        for (FakeVramSink target : java.util.List.of(sink, sink, sink, other)) {
            io.hive.preloader.core.transfer.TransferRunner.staged(target, pipeline, model, new io.hive.preloader.core.port.ChunkSource.Memory(bytes), 0,
                    io.hive.preloader.core.transfer.TransferOptions.defaults(), java.util.Optional.empty()).close();
        }

        assertThat(sink.registrations()).as("registered once for three transfers").isEqualTo(1);
        assertThat(sink.liveRegistrations()).as("given up for the other sink").isZero();
        assertThat(other.liveRegistrations()).isEqualTo(1);
        assertThat(pipeline.keptRegions()).isEqualTo(1);
        pipeline.close();
        assertThat(other.liveRegistrations()).isZero();
        assertThat(sink.misuse()).isEmpty();
        assertThat(other.misuse()).isEmpty();
    }

    @Test
    void shouldLetGoOfItsStagingMemoryWhenThePreloaderGivenItIsClosed(@TempDir Path models) {
        DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(CHUNK, 2);
        made.add(pipeline);
        FakeVramSink sink = new FakeVramSink(true);
        ModelFiles.write(models, "m.gguf", ModelFiles.model(10 * CHUNK + 5, 3));
        ModelPreloader preloader = ModelPreloader.builder().source(new FolderSource(models)).store(new BufferRamStore(false))
                .budget(new ByteBudget(64 << 20)).sink(sink).pipeline(pipeline).build();
        preloader.transfer(ModelId.of("m"), 0).close();
        assertThat(pipeline.keptRegions()).as("streamed from disk through slots kept registered").isEqualTo(1);

        preloader.close();

        assertThat(pipeline.keptRegions()).isZero();
        assertThat(pipeline.liveSlots()).isZero();
        assertThat(sink.liveRegistrations()).isZero();
        assertThat(sink.closed()).isTrue();
        assertThat(sink.misuse()).isEmpty();
    }

    @Test
    void shouldRefuseSettingsItCannotRunWithNamingThem() {
        assertThatThrownBy(() -> new DisruptorTransferPipeline(1000, 1)).hasMessageContaining("chunk size 1000");
        assertThatThrownBy(() -> new DisruptorTransferPipeline(CHUNK, 0)).hasMessageContaining("readers 0");
        assertThatThrownBy(() -> new DisruptorTransferPipeline(CHUNK, 2, 6)).hasMessageContaining("slots 6 must be a power of two");
    }
}
