package io.hive.preloader.app.cli;

import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The commands that work on a models folder, run through picocli as main runs them. */
class CommandsTest {
    private static final LlamaSpec A = new LlamaSpec(ModelId.of("model-a"), 256, 512, 4, 4, 2, 1000);
    private static final LlamaSpec B = new LlamaSpec(ModelId.of("model-b"), 256, 512, 4, 4, 3, 1000);
    private static final LlamaSpec C = new LlamaSpec(ModelId.of("model-c"), 256, 512, 4, 4, 4, 1000);

    @TempDir
    Path models;

    @Test
    void shouldPreloadByIdAndByFile() {
        DemoModels.write(models, A);
        Path other = models.resolve("elsewhere");
        Path file = DemoModels.write(other, B);

        Cli.Result result = Cli.run("preload", "--models", models.toString(), "model-a", file.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out().lines()).hasSize(2);
        assertThat(result.out()).containsPattern("preloaded model-a +[0-9.]+ [KM]iB +in +[0-9.]+ s +[0-9.]+ GB/s +from disk")
                .contains("preloaded model-b");
        assertThat(other.resolve(".preloader-journal.tsv")).doesNotExist();
        assertThat(models.resolve(".preloader-journal.tsv")).content().contains("model-a\t", "model-b\t");
    }

    @Test
    void shouldReadTheConfigFile() throws IOException {
        DemoModels.write(models, A);
        Path config = Files.writeString(models.resolve("preloader.yaml"), "models: [.]\nstore: buffer\npolicy: lfu\nbudget: 16MiB\n");

        Cli.Result result = Cli.run("--config", config.toString(), "preload", "model-a");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("preloaded model-a", "note: the buffer store");
        assertThat(Cli.run("status", "--config", config.toString()).out()).contains("store buffer, policy lfu, budget 16MiB");
    }

    @Test
    void shouldRefuseABadConfigOnOneLine() throws IOException {
        Path config = Files.writeString(models.resolve("bad.yaml"), "store: zfs\n");

        Cli.Result result = Cli.run("status", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("error: config " + config + ": store: 'zfs' is not one of mmap, buffer, hugepages\n");
    }

    @Test
    void shouldNameAnUnknownModelAndAMissingFolder() {
        DemoModels.write(models, A);

        Cli.Result unknown = Cli.run("preload", "--models", models.toString(), "model-z");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).isEqualTo("error: model-z: no such model in " + models + " (1 models there: model-a)\n");

        Cli.Result missing = Cli.run("status", "--models", models.resolve("absent").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("error: models folder " + models.resolve("absent") + " does not exist\n");

        Cli.Result badId = Cli.run("evict", "--models", models.toString(), "a:b:/c");
        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.errLines()).singleElement().asString().startsWith("error: a:b:/c: no such file");
    }

    @Test
    void shouldListModelsWithTheirResidencyAndAccesses() throws IOException {
        DemoModels.write(models, A);
        DemoModels.write(models, B);
        Files.writeString(models.resolve(".preloader-journal.tsv"), "model-b\t42\n");

        Cli.Result result = Cli.run("status", "--models", models.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("MODEL", "SIZE", "IN PAGE CACHE", "ACCESSES", "total");
        assertThat(result.out().lines().filter(l -> l.startsWith("model-b"))).singleElement().asString().contains(" 42 ");
    }

    @Test
    void shouldSayWhatTheModelsTakeAsWholePagesWithTheHugepagesStore(@TempDir Path shared) throws IOException {
        long size = Files.size(DemoModels.write(models, A));
        Path config = Files.writeString(models.resolve("preloader.yaml"),
                "models: [.]\nstore: hugepages\nhugepages: {mount: null, fallback: " + shared + "}\n");

        Cli.Result result = Cli.run("status", "--config", config.toString());

        long pages = (size + 4095) / 4096 * 4096; // a folder that is no hugetlbfs: whole base pages
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("hugepages store: plain pages of 4.0 KiB in " + shared + ": the models take "
                + Units.bytes(pages) + " there as whole pages, " + Units.bytes(pages - size) + " more than their sizes");
    }

    @Test
    void shouldDropAModelFromThePageCache() {
        DemoModels.write(models, A);

        Cli.Result result = Cli.run("evict", "--models", models.toString(), "model-a");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).startsWith("evicted model-a from the page cache: ").contains("resident before", "after");
    }

    @Test
    void shouldRunTheDemoOnConfiguredModels() {
        DemoModels.write(models, A);
        DemoModels.write(models, B);
        DemoModels.write(models, C);

        Cli.Result result = Cli.run("demo", "--models", models.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("store mmap, policy lru, sink host", "preload   model-a", "preload   model-c",
                "evicted model-a (least recently used)", "open      model-c  hit", "open      model-a  miss",
                "transfer  model-c", "to the host sink", "stats", "hit rate", "evictions",
                "LAST LOAD FROM DISK", "LAST OPEN FROM CACHE");
        assertThat(result.out().lines().filter(l -> l.strip().startsWith("model-a ")).findFirst()).hasValueSatisfying(
                row -> assertThat(row).contains("evicted"));
        assertThat(result.out().lines().filter(l -> l.strip().startsWith("model-c ")).findFirst()).hasValueSatisfying(
                row -> assertThat(row).contains("resident"));
    }

    @Test
    void shouldGenerateDemoModelsWhenNoneAreConfigured() {
        Path empty = models.resolve("empty");
        Path generated = models.resolve("generated");
        empty.toFile().mkdirs();

        Cli.Result result = Cli.run("demo", "--models", empty.toString(), "--dir", generated.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("no models in " + empty, "demo models: wrote 4 llama-structured GGUF files");
        for (LlamaSpec spec : DemoModels.DEFAULT) {
            assertThat(DemoModels.isCurrent(DemoModels.fileFor(generated, spec), spec)).isTrue();
        }
        assertThat(result.out()).contains("evicted llama-demo-1-64m");
    }
}
