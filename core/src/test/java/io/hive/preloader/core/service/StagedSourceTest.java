package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.FakeVramSink;
import io.hive.preloader.core.testing.SequentialStagingPipeline;
import io.hive.preloader.core.transfer.PlanMode;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A staged transfer from RAM keeps its lease until the pipeline says nothing reads the resident bytes any more: a
 * pipeline may return at its stop deadline while a stage stuck in a call still reads them.
 */
class StagedSourceTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();

    /** The lease closed as the pipeline's run returned: an eviction then freed the bytes under the stuck stage. */
    @Test
    void theLeaseOutlivesAPipelineRunWhoseStagesStillReadTheSource() throws Exception {
        ModelId a = source.add("a", MiB);
        StagesOutliveTheRun pipeline = new StagesOutliveTheRun(new SequentialStagingPipeline(256 * 1024, 4));
        try (ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(16 * MiB))
                .sink(new FakeVramSink(false)).pipeline(pipeline).plan(PlanMode.STAGED).build()) {
            p.preload(a).get(10, TimeUnit.SECONDS);

            try (Transfer t = p.transfer(a, 0, TransferOptions.defaults())) {
                assertThat(t.copy().bytes()).isEqualTo(MiB);
            }
            assertThat(entry(p, a).leases()).as("a stage may still read it").isEqualTo(1);
            assertThat(p.evict(a)).isTrue();
            assertThat(store.liveRegions()).as("not freed under the stage").isEqualTo(1);

            pipeline.unread.get().run(); // the stuck stage exits
            await().until(() -> store.liveRegions() == 0);
            assertThat(p.usedBytes()).isZero();
        }
    }

    private static CacheSnapshot.Entry entry(ModelPreloader p, ModelId id) {
        return p.stats().cache().entries().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    /** A pipeline whose run returns while a stage still reads the source: it says so only when told to. */
    private static final class StagesOutliveTheRun implements StagingPipeline {
        private final StagingPipeline pipeline;
        final AtomicReference<Runnable> unread = new AtomicReference<>();

        StagesOutliveTheRun(StagingPipeline pipeline) {
            this.pipeline = pipeline;
        }

        @Override
        public String name() {
            return "stages-outlive-the-run";
        }

        @Override
        public long chunkSize() {
            return pipeline.chunkSize();
        }

        @Override
        public int slots() {
            return pipeline.slots();
        }

        @Override
        public int readers() {
            return pipeline.readers();
        }

        @Override
        public Duration run(StagedTransfer transfer) {
            return pipeline.run(transfer);
        }

        @Override
        public Duration run(StagedTransfer transfer, Runnable sourceUnread) {
            Duration took = pipeline.run(transfer);
            unread.set(sourceUnread);
            return took;
        }
    }
}
