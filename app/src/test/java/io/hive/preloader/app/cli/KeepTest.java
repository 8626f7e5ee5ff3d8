package io.hive.preloader.app.cli;

import io.hive.preloader.app.config.ConfigException;
import io.hive.preloader.app.config.ConfigLoader;
import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The config's {@code keep}: models never evicted, loaded by {@code preload --auto} with the most used ones. */
class KeepTest {
    private static final LlamaSpec A = new LlamaSpec(ModelId.of("model-a"), 256, 512, 4, 4, 2, 1000);
    private static final LlamaSpec B = new LlamaSpec(ModelId.of("model-b"), 256, 512, 4, 4, 3, 1000);
    private static final LlamaSpec C = new LlamaSpec(ModelId.of("model-c"), 256, 512, 4, 4, 4, 1000);

    @TempDir
    Path models;

    @Test
    void shouldReadKeepAsAListOfIdsOrOneId() {
        Path file = models.resolve("preloader.yaml");

        assertThat(ConfigLoader.parse("keep: [llama3, mistral]\n", file).keep()).containsExactly(ModelId.of("llama3"), ModelId.of("mistral"));
        assertThat(ConfigLoader.parse("keep: llama3\n", file).keep()).containsExactly(ModelId.of("llama3"));
        assertThat(ConfigLoader.parse("budget: 1GiB\n", file).keep()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.parse("keep: [../etc]\n", file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("keep[0]: model id '../etc' is not allowed");
        assertThatThrownBy(() -> ConfigLoader.parse("keep: {a: 1}\n", file)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("keep: expected a list of model ids, found a mapping");
    }

    @Test
    void shouldPreloadTheKeptModelsAndTheMostUsedOnesWithAuto() throws IOException {
        DemoModels.write(models, A);
        DemoModels.write(models, B);
        DemoModels.write(models, C);
        Files.writeString(models.resolve(".preloader-journal.tsv"), "model-b\t42\nmodel-c\t7\n");
        Path config = Files.writeString(models.resolve("preloader.yaml"), "models: [.]\nkeep: [model-a, model-x]\nauto_preload: 1\n");

        Cli.Result result = Cli.run("--config", config.toString(), "preload", "--auto");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines()).hasSize(2);
        assertThat(result.out().lines().toList().get(0)).startsWith("preloaded model-a").endsWith(", kept");
        assertThat(result.out().lines().toList().get(1)).startsWith("preloaded model-b").doesNotEndWith(", kept");
        assertThat(result.err()).isEqualTo("warning: keep: no model model-x in the models folders\n");
    }
}
