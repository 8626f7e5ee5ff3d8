package io.hive.preloader.app.config;

import io.hive.preloader.core.model.ModelId;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What an operator chose in the config file, validated: every path absolute, every choice one of the known ones.
 * Read one with {@link ConfigLoader}; {@link #defaults()} is what an empty file means.
 *
 * @param models         folders whose {@code *.gguf} files are models (id = file name without {@code .gguf})
 * @param aliases        extra ids naming a file anywhere
 * @param budget         as written: bytes, a binary unit ({@code 8GiB}) or a share of RAM ({@code 50%})
 * @param autoPreload    how many of the most used models (by the journal) a daemon preloads at startup
 * @param journal        the access journal's file when set explicitly; see {@link #journalFile()}
 */
public record PreloaderConfig(
        List<Path> models,
        Map<ModelId, Path> aliases,
        Store store,
        boolean mmapLock,
        boolean bufferDirectIo,
        Policy policy,
        String budget,
        int autoPreload,
        Sink sink,
        Optional<Path> journal) {

    public static final String DEFAULT_MODELS = "./models";
    public static final String JOURNAL_FILE = ".preloader-journal.tsv";

    public PreloaderConfig {
        models = models.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        aliases = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aliases));
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(sink, "sink");
        journal = journal.map(p -> p.toAbsolutePath().normalize());
        if (autoPreload < 0) {
            throw new IllegalArgumentException("auto_preload must be 0 or more, got " + autoPreload);
        }
    }

    /** Which {@code RamStore} holds resident models. */
    public enum Store { MMAP, BUFFER }

    /** Which {@code EvictionPolicy} picks victims. */
    public enum Policy { LRU, LFU }

    /** Which {@code VramSink} receives transfers; only the host-memory sink exists for now. */
    public enum Sink { HOST }

    /** Everything at its default: models in {@code ./models}, mmap, LRU, half of RAM, the host sink. */
    public static PreloaderConfig defaults() {
        return new PreloaderConfig(List.of(Path.of(DEFAULT_MODELS)), Map.of(), Store.MMAP, false, false, Policy.LRU,
                "50%", 0, Sink.HOST, Optional.empty());
    }

    /** The access journal: the configured file, else {@value #JOURNAL_FILE} in the first models folder, else none. */
    public Optional<Path> journalFile() {
        return journal.or(() -> models.stream().findFirst().map(folder -> folder.resolve(JOURNAL_FILE)));
    }

    public PreloaderConfig withModels(List<Path> folders) {
        return new PreloaderConfig(folders, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal);
    }

    /** The same config with the access journal in {@code file}, wherever the models folders are. */
    public PreloaderConfig withJournal(Path file) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, Optional.of(file));
    }

    public PreloaderConfig withAliases(Map<ModelId, Path> more) {
        Map<ModelId, Path> all = new LinkedHashMap<>(aliases);
        all.putAll(more);
        return new PreloaderConfig(models, all, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal);
    }

    public PreloaderConfig withStore(Store newStore) {
        return new PreloaderConfig(models, aliases, newStore, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal);
    }

    public PreloaderConfig withPolicy(Policy newPolicy) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, newPolicy, budget, autoPreload, sink, journal);
    }

    public PreloaderConfig withBudget(String newBudget) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, newBudget, autoPreload, sink, journal);
    }

    public PreloaderConfig withSink(Sink newSink) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, newSink, journal);
    }

    /** The name an operator writes for a choice: {@code MMAP} → {@code mmap}. */
    public static String nameOf(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }

    /** The names of every choice, comma-separated, as an error message lists them. */
    static String namesOf(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(PreloaderConfig::nameOf).collect(Collectors.joining(", "));
    }
}
