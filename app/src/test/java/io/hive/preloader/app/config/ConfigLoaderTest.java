package io.hive.preloader.app.config;

import io.hive.preloader.app.config.PreloaderConfig.Policy;
import io.hive.preloader.app.config.PreloaderConfig.Sink;
import io.hive.preloader.app.config.PreloaderConfig.Store;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("/x/p.yaml");

    @TempDir
    Path dir;

    @Test
    void shouldReadEveryKey() throws IOException {
        Path file = dir.resolve("preloader.yaml");
        Files.writeString(file, """
                models: [/srv/models, more]
                aliases:
                  chat: /srv/models/llama-3-8b.gguf
                store: buffer
                mmap: {lock: true}
                buffer:
                  direct_io: true
                policy: lfu
                budget: 8GiB
                auto_preload: 3
                sink: host
                journal: state/journal.tsv
                """);

        PreloaderConfig config = ConfigLoader.load(file);

        assertThat(config.models()).containsExactly(Path.of("/srv/models"), dir.resolve("more"));
        assertThat(config.aliasFiles()).containsExactly(Map.entry(ModelId.of("chat"), Path.of("/srv/models/llama-3-8b.gguf")));
        assertThat(config.store()).isEqualTo(Store.BUFFER);
        assertThat(config.mmap().lock()).isTrue();
        assertThat(config.buffer().directIo()).isTrue();
        assertThat(config.policy()).isEqualTo(Policy.LFU);
        assertThat(config.budget()).isEqualTo("8GiB");
        assertThat(config.autoPreload()).isEqualTo(3);
        assertThat(config.sink()).isEqualTo(Sink.HOST);
        assertThat(config.journalFile()).contains(dir.resolve("state/journal.tsv"));
    }

    @Test
    void shouldTakeTheDefaultsFromAnEmptyFile() {
        PreloaderConfig config = ConfigLoader.parse("", FILE);

        assertThat(config).isEqualTo(PreloaderConfig.defaults());
        assertThat(config.models()).containsExactly(Path.of("models").toAbsolutePath());
        assertThat(config.store()).isEqualTo(Store.MMAP);
        assertThat(config.mmap().lock()).isFalse();
        assertThat(config.policy()).as("the winner of bench/policy-trace.sh").isEqualTo(Policy.CAFFEINE);
        assertThat(config.hugepages()).isEqualTo(new PreloaderConfig.HugePages(Optional.of(Path.of("/dev/hugepages")), Path.of("/dev/shm")));
        assertThat(config.budget()).isEqualTo("50%");
        assertThat(config.autoPreload()).isZero();
        assertThat(config.sink()).isEqualTo(Sink.HOST);
        assertThat(config.journalFile()).contains(Path.of("models", ".preloader-journal.tsv").toAbsolutePath());
    }

    @Test
    void shouldReadTheHugepagesStoreAndTheCaffeinePolicy() {
        PreloaderConfig config = ConfigLoader.parse("""
                store: hugepages
                hugepages: {mount: /mnt/huge, fallback: shm}
                policy: caffeine
                """, FILE);

        assertThat(config.store()).isEqualTo(Store.HUGEPAGES);
        assertThat(config.hugepages().mount()).contains(Path.of("/mnt/huge"));
        assertThat(config.hugepages().fallback()).as("relative to the config file").isEqualTo(Path.of("/x/shm"));
        assertThat(config.policy()).isEqualTo(Policy.CAFFEINE);
        assertThat(ConfigLoader.parse("hugepages: {mount: null}", FILE).hugepages())
                .as("no hugetlbfs: the fallback folder only").isEqualTo(new PreloaderConfig.HugePages(Optional.empty(), Path.of("/dev/shm")));
        assertThat(ConfigLoader.parse("hugepages: {fallback: /run/shm}", FILE).hugepages().mount()).contains(Path.of("/dev/hugepages"));
    }

    @Test
    void shouldPutTheJournalInTheFirstModelsFolderByDefault() {
        PreloaderConfig config = ConfigLoader.parse("models: [/a, /b]", FILE);

        assertThat(config.journal()).isEmpty();
        assertThat(config.journalFile()).contains(Path.of("/a/.preloader-journal.tsv"));
        assertThat(config.withModels(List.of(Path.of("/c"))).journalFile()).contains(Path.of("/c/.preloader-journal.tsv"));
    }

    @Test
    void shouldReadTheStoresBesideTheModelsFoldersWithNoDefaultFolderWhenAStoreIsGiven() {
        PreloaderConfig stores = ConfigLoader.parse("ollama: ~/.ollama/models\nhuggingface: [hub]\nkeep: [\"llama3.2:3b\", llama3.2:1b]\n", FILE);
        assertThat(stores.ollama()).containsExactly(Path.of(System.getProperty("user.home"), ".ollama/models"));
        assertThat(stores.huggingface()).containsExactly(Path.of("/x/hub"));
        assertThat(stores.models()).isEmpty();
        assertThat(stores.journalFile()).isEmpty();
        assertThat(stores.keep()).extracting(ModelId::value).containsExactly("llama3.2:3b", "llama3.2:1b");
        assertThat(stores.modelFolders()).containsExactly(Path.of(System.getProperty("user.home"), ".ollama/models"), Path.of("/x/hub"));
        PreloaderConfig both = ConfigLoader.parse("models: [m]\nhuggingface: [hub]\n", FILE);
        assertThat(both.models()).containsExactly(Path.of("/x/m"));
        assertThat(both.modelFolders()).containsExactly(Path.of("/x/m"), Path.of("/x/hub"));
        assertThat(ConfigLoader.parse("", FILE).ollama()).isEmpty();
    }

    @Test
    void shouldAcceptOneFolderAsTextAndBudgetsInEveryForm() {
        assertThat(ConfigLoader.parse("models: /srv/models", FILE).models()).containsExactly(Path.of("/srv/models"));
        assertThat(ConfigLoader.parse("budget: 1073741824", FILE).budget()).isEqualTo("1073741824");
        assertThat(ConfigLoader.parse("budget: 512MiB", FILE).budget()).isEqualTo("512MiB");
        assertThat(ConfigLoader.parse("budget: 25%", FILE).budget()).isEqualTo("25%");
        assertThat(ConfigLoader.parse("store: MMAP", FILE).store()).isEqualTo(Store.MMAP);
        assertThat(ConfigLoader.parse("mmap:\nbuffer:\n", FILE).mmap().lock()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            store: zfs                 | config /x/p.yaml: store: 'zfs' is not one of mmap, buffer, hugepages
            policy: fifo               | config /x/p.yaml: policy: 'fifo' is not one of lru, lfu, caffeine
            hugepages: {size: 2}       | config /x/p.yaml: unknown key 'hugepages.size'; allowed keys under hugepages: mount, fallback
            hugepages: {fallback: 7}   | config /x/p.yaml: hugepages.fallback: expected a path, found the number 7
            hugepages: /dev/hugepages  | config /x/p.yaml: hugepages: expected a mapping with mount, fallback, found the text '/dev/hugepages'
            sink: gpu                  | config /x/p.yaml: sink: 'gpu' is not one of host, cuda
            store: 3                   | config /x/p.yaml: store: '3' is not one of mmap, buffer, hugepages
            store:                     | config /x/p.yaml: store: an empty value is not one of mmap, buffer, hugepages
            mmap: {lock: maybe}        | config /x/p.yaml: mmap.lock: 'maybe' is not one of true, false
            buffer: {direct_io: 1}     | config /x/p.yaml: buffer.direct_io: '1' is not one of true, false
            auto_preload: -1           | config /x/p.yaml: auto_preload: '-1' is not a count of models (0 or more)
            auto_preload: many         | config /x/p.yaml: auto_preload: 'many' is not a count of models (0 or more)
            auto_preload: 1.5          | config /x/p.yaml: auto_preload: '1.5' is not a count of models (0 or more)
            chunk_size:                | config /x/p.yaml: chunk_size: an empty value is not a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB
            models: [/a, null]         | config /x/p.yaml: models[1]: expected a path, found an empty value
            stor: mmap                 | config /x/p.yaml: unknown key 'stor'; allowed keys: models, aliases, ollama, huggingface, store, mmap, buffer, policy, budget, auto_preload, sink, host_sink_limit, journal, keep, device, plan, chunk_size, readers, hugepages, http, workers
            mmap: {lok: true}          | config /x/p.yaml: unknown key 'mmap.lok'; allowed keys under mmap: lock
            mmap: true                 | config /x/p.yaml: mmap: expected a mapping with lock, found the boolean true
            models: 3                  | config /x/p.yaml: models: expected a list of folders, found the number 3
            models: [/a, 7]            | config /x/p.yaml: models[1]: expected a path, found the number 7
            aliases: {../x: /a.gguf}   | config /x/p.yaml: aliases: model id '../x' is not allowed: use letters, digits and . _ : + - (no path separators, no '..')
            journal: [a]               | config /x/p.yaml: journal: expected a path, found a list
            ollama: 3                  | config /x/p.yaml: ollama: expected a list of Ollama models folders, found the number 3
            huggingface: [/h, 7]       | config /x/p.yaml: huggingface[1]: expected a path, found the number 7
            "ollama: [/o]\naliases: {a: /a.gguf}" | config /x/p.yaml: aliases: an alias names a file in a models folder, and there is none; add models: [DIR]
            - store                    | config /x/p.yaml: the top level must be a mapping of keys (models, aliases, ollama, huggingface, store, mmap, buffer, policy, budget, auto_preload, sink, host_sink_limit, journal, keep, device, plan, chunk_size, readers, hugepages, http, workers), found a list
            """)
    void shouldRefuseWithOneLineNamingTheKeyAndTheAllowedValues(String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            budget: 8 potatoes
            budget: 0
            budget: 150%
            budget: -5GiB
            budget: [8GiB]
            """)
    void shouldRefuseABadBudget(String yaml) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config /x/p.yaml: budget: ")
                .hasMessageContaining("is not a byte count, a size like 8GiB or 512MiB, or a share of RAM like 50%");
    }

    @Test
    void shouldRefuseDuplicateKeysAndBrokenYamlOnOneLine() {
        assertThatThrownBy(() -> ConfigLoader.parse("store: mmap\nstore: buffer\n", FILE))
                .hasMessageStartingWith("config /x/p.yaml: not valid YAML at line 2, column 1: found duplicate key store")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> ConfigLoader.parse("store: [mmap\n", FILE))
                .hasMessageStartingWith("config /x/p.yaml: not valid YAML at line ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void shouldBuildNoJavaTypesNamedByTags() {
        assertThatThrownBy(() -> ConfigLoader.parse("store: !!java.io.File [/etc/passwd]\n", FILE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config /x/p.yaml: not valid YAML")
                .hasMessageContaining("java.io.File");
    }

    @Test
    void shouldNameAMissingFile() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing)).hasMessage("config " + missing + ": no such file");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).hasMessage("config " + dir + ": is a directory, not a YAML file");
    }

    @Test
    void shouldKeepExplicitJournalWhenModelsChange() {
        PreloaderConfig config = ConfigLoader.parse("journal: /var/lib/preloader/journal.tsv", FILE);

        assertThat(config.withModels(List.of(Path.of("/m"))).journalFile()).isEqualTo(Optional.of(Path.of("/var/lib/preloader/journal.tsv")));
    }

    @Test
    void shouldShowTheConfigInTheFilesOwnKeysWithTheJournalInForceAndNoHttpSection() {
        Map<String, Object> shown = ConfigLoader.shown(ConfigLoader.parse("""
                models: /srv/models
                aliases: {chat: /srv/x.gguf}
                store: hugepages
                hugepages: {mount: null}
                chunk_size: 1MiB
                keep: chat
                workers: {w: {command: [x, "{model}"], ready_port: 8080, timeout: 1.5m}}
                http: {token: "0123456789abcdef-long-enough"}
                """, FILE));

        assertThat(shown).containsEntry("models", List.of("/srv/models"))
                .containsEntry("aliases", Map.of("chat", "/srv/x.gguf"))
                .containsEntry("store", "hugepages")
                .containsEntry("journal", "/srv/models/.preloader-journal.tsv")
                .containsEntry("keep", List.of("chat"))
                .containsEntry("chunk_size", 1L << 20);
        assertThat(shown.get("hugepages").toString()).isEqualTo("{mount=null, fallback=/dev/shm}");
        assertThat(shown.get("workers").toString())
                .isEqualTo("{w={command=[x, {model}], ready_line=null, ready_port=8080, ready_exit=null, timeout=90}}");
        assertThat(shown.keySet()).as("every key but http, which the server shows itself")
                .containsExactlyElementsOf(java.util.Arrays.stream(PreloaderConfig.class.getRecordComponents())
                        .map(ConfigKeys::keyOf).filter(key -> !key.equals("http")).toList());
    }
}
