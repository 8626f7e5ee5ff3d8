package io.hive.preloader.app.wiring;

import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.app.config.PreloaderConfig.Plan;
import io.hive.preloader.app.config.PreloaderConfig.Sink;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.adapters.cuda.CudaVramSink;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.transfer.Transfer;
import io.hive.preloader.core.transfer.TransferOptions;
import io.hive.preloader.core.transfer.TransferPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The transfer settings reach core: the plan, the pipeline's chunk size and readers, and the sink with its fallback. */
class TransferWiringTest {
    private static final LlamaSpec SMALL = new LlamaSpec(ModelId.of("small"), 256, 512, 4, 4, 2, 1000);

    @TempDir
    Path models;

    private PreloaderConfig config(Sink sink, Plan plan) {
        return PreloaderConfig.defaults().withModels(List.of(models)).withBudget("64MiB").withSink(sink)
                .withPlan(plan).withChunkSize(64L * 1024).withReaders(2);
    }

    @ParameterizedTest(name = "plan {0}")
    @EnumSource(Plan.class)
    void shouldTransferByTheConfiguredPlanWithAMatchingChecksum(Plan plan) throws Exception {
        Path file = DemoModels.write(models, SMALL);
        CRC32C crc = new CRC32C();
        crc.update(Files.readAllBytes(file));

        try (ModelPreloader preloader = Wiring.preloader(config(Sink.HOST, plan))) {
            preloader.preload(SMALL.id()).join();
            try (Transfer transfer = preloader.transfer(SMALL.id(), 0, TransferOptions.defaults().withChecksum(true))) {
                assertThat(transfer.crc32c()).hasValue(crc.getValue());
                assertThat(transfer.plan()).isInstanceOf(plan == Plan.STAGED ? TransferPlan.Staged.class : TransferPlan.Direct.class);
            }
        }
    }

    @Test
    void shouldStreamAModelThatIsNotResidentThroughTheConfiguredPipeline() throws Exception {
        DemoModels.write(models, SMALL);

        try (ModelPreloader preloader = Wiring.preloader(config(Sink.HOST, Plan.AUTO));
             Transfer transfer = preloader.transfer(SMALL.id(), 0, TransferOptions.defaults().withChecksum(true))) {
            assertThat(transfer.plan()).isInstanceOfSatisfying(TransferPlan.Staged.class, s -> assertThat(s.from()).isEqualTo(Origin.DISK));
        }
    }

    @Test
    void shouldFallBackToTheHostSinkSayingWhyWhereThereIsNoCuda() throws Exception {
        CudaVramSink.Availability cuda = CudaVramSink.probe();
        assumeFalse(cuda.available(), "this machine has a GPU");
        byte[] model = Files.readAllBytes(DemoModels.write(models, SMALL));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err as it is then

        try (ModelPreloader preloader = Wiring.preloader(config(Sink.CUDA, Plan.AUTO))) {
            preloader.preload(SMALL.id()).join();
            try (Transfer transfer = preloader.transfer(SMALL.id(), 0, TransferOptions.defaults());
                 Arena arena = Arena.ofConfined()) {
                MemorySegment copied = arena.allocate(model.length);
                transfer.copy().readBack(0, copied);

                assertThat(transfer.copy().handle()).as("a copy in host memory").startsWith("host:");
                assertThat(copied.toArray(ValueLayout.JAVA_BYTE)).as("every byte of the model").isEqualTo(model);
            }
        } finally {
            System.setErr(err);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).as("why, in one line")
                .containsOnlyOnce(cuda.reason() + "; using the host sink");
    }
}
