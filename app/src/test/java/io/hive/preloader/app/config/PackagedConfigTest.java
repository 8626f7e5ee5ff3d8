package io.hive.preloader.app.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The configs the release ships (the example file and the Kubernetes ConfigMaps) are ones the loader takes. */
class PackagedConfigTest {
    private static final Path PACKAGING = Path.of("..", "packaging");

    @ParameterizedTest
    @ValueSource(strings = {"kubernetes/base/configmap.yaml", "kubernetes/hugepages/configmap.yaml"})
    void shouldLoadTheConfigMapsConfig(String manifest) throws IOException {
        String text = Files.readString(PACKAGING.resolve(manifest));
        // The block under "preloader.yaml: |", its indent taken off.
        String block = text.substring(text.indexOf("preloader.yaml: |") + "preloader.yaml: |".length()).lines()
                .takeWhile(l -> l.isBlank() || l.startsWith("    ")).map(l -> l.length() >= 4 ? l.substring(4) : l)
                .collect(Collectors.joining("\n"));

        PreloaderConfig config = ConfigLoader.parse(block, Path.of("/etc/preloader/preloader.yaml"));

        assertThat(config.http().host()).isEqualTo("0.0.0.0");
        assertThat(config.http().allowedHosts()).as("the Service's names pass the Host check").contains("preloader.preloader.svc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"preloader.yaml"})
    void shouldLoadTheExampleConfig(String file) {
        assertThat(ConfigLoader.load(PACKAGING.resolve(file)).http().host()).isEqualTo("127.0.0.1");
    }
}
