package io.hive.preloader.app.config;

import io.hive.preloader.app.config.PreloaderConfig.Plan;
import io.hive.preloader.app.config.PreloaderConfig.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code sink}, {@code host_sink_limit}, {@code device}, {@code plan}, {@code chunk_size}, {@code readers}: how models move to a device. */
class TransferConfigTest {
    private static final Path FILE = Path.of("/x/p.yaml");

    @Test
    void shouldReadTheTransferKeys() {
        PreloaderConfig config = ConfigLoader.parse("""
                sink: cuda
                device: 1
                plan: staged
                chunk_size: 64MiB
                readers: 12
                """, FILE);

        assertThat(config.sink()).isEqualTo(Sink.CUDA);
        assertThat(transfer(config)).containsExactly(1, Plan.STAGED, 64L << 20, 12);
    }

    @Test
    void shouldDefaultToDeviceZeroPlanAutoSixteenMebibyteChunksAndFourReaders() {
        assertThat(transfer(ConfigLoader.parse("", FILE))).containsExactly(0, Plan.AUTO, 16L << 20, 4);
        assertThat(ConfigLoader.parse("chunk_size: 1048576", FILE).chunkSize()).isEqualTo(1L << 20);
        assertThat(ConfigLoader.parse("plan: DIRECT", FILE).plan()).isEqualTo(Plan.DIRECT);
    }

    @Test
    void shouldBoundTheHostSinksCopiesByAShareOfRamUnlessGivenASize() {
        assertThat(ConfigLoader.parse("", FILE).hostSinkLimit()).isEqualTo("25%");
        assertThat(ConfigLoader.parse("host_sink_limit: 8GiB", FILE).hostSinkLimit()).isEqualTo("8GiB");
        assertThat(ConfigLoader.parse("host_sink_limit: 10%", FILE).hostSinkLimit()).isEqualTo("10%");
    }

    @Test
    void shouldKeepTheTransferSettingsThroughEveryWither() {
        PreloaderConfig config = ConfigLoader.parse("plan: direct\nreaders: 7", FILE);

        assertThat(transfer(config.withModels(java.util.List.of(Path.of("/m"))).withBudget("1GiB").withSink(Sink.HOST)))
                .isEqualTo(transfer(config));
    }

    /** The transfer keys: device, plan, chunk_size, readers. */
    private static java.util.List<Object> transfer(PreloaderConfig config) {
        return java.util.List.of(config.device(), config.plan(), config.chunkSize(), config.readers());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            plan: fast                 | config /x/p.yaml: plan: 'fast' is not one of auto, direct, staged
            device: -1                 | config /x/p.yaml: device: '-1' is not a device number (0 or more)
            device: gpu0               | config /x/p.yaml: device: 'gpu0' is not a device number (0 or more)
            readers: 0                 | config /x/p.yaml: readers: '0' is not a count of reader threads from 1 to 256
            readers: 1000              | config /x/p.yaml: readers: '1000' is not a count of reader threads from 1 to 256
            readers: many              | config /x/p.yaml: readers: 'many' is not a count of reader threads from 1 to 256
            chunk_size: 4KiB           | config /x/p.yaml: chunk_size: '4KiB' is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            chunk_size: 2GiB           | config /x/p.yaml: chunk_size: '2GiB' is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            chunk_size: 100000         | config /x/p.yaml: chunk_size: '100000' is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            chunk_size: big            | config /x/p.yaml: chunk_size: 'big' is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            chunk_size: [16MiB]        | config /x/p.yaml: chunk_size: a list is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            sink: tpu                  | config /x/p.yaml: sink: 'tpu' is not one of host, cuda
            host_sink_limit: 0         | config /x/p.yaml: host_sink_limit: '0' is not a byte count, a size like 8GiB, or a share of RAM like 25%
            host_sink_limit: 200%      | config /x/p.yaml: host_sink_limit: '200%' is not a byte count, a size like 8GiB, or a share of RAM like 25%
            host_sink_limit: lots      | config /x/p.yaml: host_sink_limit: 'lots' is not a byte count, a size like 8GiB, or a share of RAM like 25%
            """)
    void shouldRefuseABadTransferSettingWithOneLineNamingTheKeyAndWhatIsAllowed(String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }
}
