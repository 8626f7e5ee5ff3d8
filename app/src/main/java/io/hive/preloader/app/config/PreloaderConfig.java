package io.hive.preloader.app.config;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.port.ReadinessProbe;
import io.soabase.recordbuilder.core.RecordBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

import static com.fasterxml.jackson.annotation.JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY;
import static java.util.Objects.requireNonNullElse;

/**
 * What an operator chose in the config file, validated. Each component is one key of the file (its name in snake_case),
 * in the file's order, bound by {@link ConfigLoader}; a key left out is null here and takes the default the constructor
 * gives it. To add a key: a component, its {@code @param} line, its {@link Allowed} words where its values are limited,
 * its default and checks in the constructor, and its line in the README. {@code withX} methods come from the
 * generated {@code PreloaderConfigBuilder.With}; build one in code with {@code PreloaderConfigBuilder} (so that a new key
 * breaks no caller), not the canonical constructor.
 *
 * @param models      folders whose {@code *.gguf} files are models (id = file name without {@code .gguf}); one folder
 *                    may be written as text; default {@code ./models} of the working directory, unless a store below is
 *                    given
 * @param aliases     extra ids, each naming one file: its path, or {@code {path: FILE, sha256: HEX}} to have its bytes
 *                    verified while they load
 * @param ollama      Ollama models folders ({@code ~/.ollama/models}) served in place, after the models folders
 * @param huggingface Hugging Face hub caches ({@code ~/.cache/huggingface/hub}) served in place, after Ollama's
 * @param store       which {@code RamStore} holds resident models
 * @param mmap        the mmap store's settings
 * @param buffer      the buffer store's settings
 * @param policy      which {@code EvictionPolicy} picks victims
 * @param budget      as written: bytes, a binary unit ({@code 8GiB}) or a share of RAM ({@code 50%}, the default)
 * @param autoPreload how many of the most used models (by the journal) a daemon preloads at startup
 * @param sink        which {@code VramSink} receives transfers (cuda falls back to host where there is no GPU)
 * @param hostSinkLimit the most the host sink's copies may take together, as written like the budget ({@code 25%} of
 *                    RAM by default): they are private memory outside the budget, and a transfer past it is refused
 * @param journal     the access journal's file when set explicitly; see {@link #journalFile()}
 * @param keep        models never evicted (like Ollama's {@code keep_alive: -1}): pinned, and loaded when a daemon starts
 *                    or by {@code preload --auto}
 * @param device      the device transfers go to unless a caller names one (checked against the CUDA devices)
 * @param plan        {@code auto}: direct when the resident region can be pinned, else staged
 * @param chunkSize   bytes per staging slot and per direct copy
 * @param readers     reader stages of the staging pipeline
 * @param hugepages   where {@code store: hugepages} puts its shared files
 * @param http        how {@code serve} listens, and whom it answers ({@link HttpConfig})
 * @param workers     the workers {@code serve}'s API may start by name, in the file's order
 */
@RecordBuilder
public record PreloaderConfig(
        @Allowed("a list of folders") @JsonFormat(with = ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Path> models,
        @Allowed("a mapping of model id to a file, or to {path: FILE, sha256: HEX}") @JsonDeserialize(contentUsing = ConfigValues.AliasReader.class) Map<ModelId, Alias> aliases,
        @Allowed("a list of Ollama models folders") @JsonFormat(with = ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Path> ollama,
        @Allowed("a list of Hugging Face hub caches") @JsonFormat(with = ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Path> huggingface,
        Store store,
        Mmap mmap,
        Buffer buffer,
        Policy policy,
        @Allowed("a byte count, a size like 8GiB or 512MiB, or a share of RAM like 50%") @JsonDeserialize(using = ConfigValues.Budget.class) String budget,
        @Allowed("a count of models (0 or more)") int autoPreload,
        Sink sink,
        @Allowed("a byte count, a size like 8GiB, or a share of RAM like 25%") @JsonDeserialize(using = ConfigValues.Budget.class) String hostSinkLimit,
        Optional<Path> journal,
        @Allowed("a list of model ids") @JsonFormat(with = ACCEPT_SINGLE_VALUE_AS_ARRAY) List<ModelId> keep,
        @Allowed("a device number (0 or more)") int device,
        Plan plan,
        @Allowed("a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB") @JsonDeserialize(using = ConfigValues.Size.class) Long chunkSize,
        @Allowed("a count of reader threads from 1 to 256") Integer readers,
        HugePages hugepages,
        HttpConfig http,
        @Allowed("a mapping of worker names to {command, ready_line | ready_port | ready_exit, timeout}") Map<String, Worker> workers)
        implements PreloaderConfigBuilder.With {

    public static final String DEFAULT_MODELS = "./models";
    public static final String JOURNAL_FILE = ".preloader-journal.tsv";
    private static final Pattern WORKER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public PreloaderConfig {
        // With a store and no models folder, ./models is no guess worth making: it would be refused when missing.
        List<Path> defaultModels = ollama == null && huggingface == null ? List.of(Path.of(DEFAULT_MODELS)) : List.of();
        models = absolute(requireNonNullElse(models, defaultModels));
        aliases = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNullElse(aliases, Map.of())));
        ollama = absolute(requireNonNullElse(ollama, List.of()));
        huggingface = absolute(requireNonNullElse(huggingface, List.of()));
        store = requireNonNullElse(store, Store.MMAP);
        mmap = requireNonNullElse(mmap, new Mmap(false));
        buffer = requireNonNullElse(buffer, new Buffer(false));
        policy = requireNonNullElse(policy, Policy.CAFFEINE);
        budget = requireNonNullElse(budget, "50%");
        sink = requireNonNullElse(sink, Sink.HOST);
        hostSinkLimit = requireNonNullElse(hostSinkLimit, "25%");
        journal = requireNonNullElse(journal, Optional.<Path>empty()).map(p -> p.toAbsolutePath().normalize());
        keep = List.copyOf(new LinkedHashSet<>(requireNonNullElse(keep, List.of())));
        plan = requireNonNullElse(plan, Plan.AUTO);
        chunkSize = requireNonNullElse(chunkSize, 16L << 20);
        readers = requireNonNullElse(readers, 4);
        hugepages = requireNonNullElse(hugepages, new HugePages(null, null));
        http = requireNonNullElse(http, HttpConfigBuilder.builder().build());
        workers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNullElse(workers, Map.of())));
        if (models.isEmpty() && !aliases.isEmpty()) {
            throw new Refused("aliases", "an alias names a file in a models folder, and there is none; add models: [DIR]");
        }
        Refused.unless(autoPreload >= 0, "auto_preload", autoPreload);
        Refused.unless(device >= 0 && device < 1024, "device", device);
        Refused.unless(chunkSize >= 64 << 10 && chunkSize <= 1 << 30 && chunkSize % 4096 == 0, "chunk_size", chunkSize);
        Refused.unless(readers >= 1 && readers <= 256, "readers", readers);
        workers.keySet().stream().filter(name -> !WORKER_NAME.matcher(name).matches()).findFirst().ifPresent(name -> {
            throw new Refused("workers", "'" + name + "' is not a worker name (letters, digits, . _ -; at most 64)");
        });
    }

    /** Everything at its default: models in {@code ./models}, mmap, the Caffeine policy, half of RAM, the host sink. */
    public static PreloaderConfig defaults() {
        return PreloaderConfigBuilder.builder().build();
    }

    private static List<Path> absolute(List<Path> folders) {
        return folders.stream().map(p -> p.toAbsolutePath().normalize()).toList();
    }

    /** Every folder models come from, for messages: the models folders, then the stores, in the order they are searched. */
    public List<Path> modelFolders() {
        return Stream.of(models, ollama, huggingface).flatMap(List::stream).toList();
    }

    /**
     * The access journal: the configured file, else {@value #JOURNAL_FILE} in the first models folder, else none (a
     * store's folder belongs to its tool: nothing is written there).
     */
    public Optional<Path> journalFile() {
        return journal.or(() -> models.stream().findFirst().map(folder -> folder.resolve(JOURNAL_FILE)));
    }

    /** The name an operator writes for a choice: {@code MMAP} → {@code mmap}. */
    public static String nameOf(Enum<?> choice) {
        return choice.name().toLowerCase(Locale.ROOT);
    }

    /** Which {@code RamStore} holds resident models. */
    public enum Store { MMAP, BUFFER, HUGEPAGES }

    /** Which {@code EvictionPolicy} picks victims; Caffeine's W-TinyLFU by default (see the README's policy table). */
    public enum Policy { LRU, LFU, CAFFEINE }

    /** Which {@code VramSink} receives transfers: host memory, or a GPU through CUDA (host where there is none). */
    public enum Sink { HOST, CUDA }

    /** Which transfer plan core uses: its own choice, always direct, or always through the staging pipeline. */
    public enum Plan { AUTO, DIRECT, STAGED }

    /**
     * An alias: the file it names and, when given, the SHA-256 its bytes must have (checked while it loads, once per
     * file version). Written as the path alone, or as {@code {path: FILE, sha256: HEX}}.
     */
    public record Alias(Path path, Optional<Sha256> sha256) {
        public Alias {
            java.util.Objects.requireNonNull(path, "path");
            sha256 = requireNonNullElse(sha256, Optional.empty());
        }

        public Alias(Path path) {
            this(path, Optional.empty());
        }
    }

    /** The files the aliases name, by id. */
    public Map<ModelId, Path> aliasFiles() {
        Map<ModelId, Path> files = new LinkedHashMap<>();
        aliases.forEach((id, alias) -> files.put(id, alias.path()));
        return files;
    }

    /** The digests the aliases give, by id. */
    public Map<ModelId, Sha256> aliasDigests() {
        Map<ModelId, Sha256> digests = new LinkedHashMap<>();
        aliases.forEach((id, alias) -> alias.sha256().ifPresent(d -> digests.put(id, d)));
        return digests;
    }

    /** @param lock {@code mlock} resident models (needs {@code RLIMIT_MEMLOCK}) */
    public record Mmap(boolean lock) {
    }

    /** @param directIo read with {@code O_DIRECT}: no second copy in the page cache */
    public record Buffer(boolean directIo) {
    }

    /**
     * Where the hugepages store puts its shared files.
     *
     * @param mount    the hugetlbfs mount used when it is mounted, writable and has huge pages; {@code mount: null} for
     *                 none (an empty value, unlike a missing key, means none: hence the injected default)
     * @param fallback the folder used otherwise, a tmpfs such as {@code /dev/shm} (transparent huge pages where allowed)
     */
    public record HugePages(@JacksonInject(value = "hugepages.mount", useInput = OptBoolean.TRUE) Optional<Path> mount, Path fallback) {
        public static final String DEFAULT_MOUNT = "/dev/hugepages";

        public HugePages {
            mount = requireNonNullElse(mount, Optional.of(Path.of(DEFAULT_MOUNT))).map(p -> p.toAbsolutePath().normalize());
            fallback = requireNonNullElse(fallback, Path.of("/dev/shm")).toAbsolutePath().normalize();
        }
    }

    /**
     * A worker {@code serve}'s API may start by its name (an entry of {@code workers:}): requests name it, never a
     * command. At most one of the three {@code ready_} keys; without any, ready means it exits with status 0.
     *
     * @param command   the command line; {@code {model}} in it becomes the path the worker reads the model from
     * @param readyLine ready when a line of its output matches this regular expression
     * @param readyPort ready when this TCP port opens on 127.0.0.1
     * @param readyExit ready when it exits with status 0 (the default; {@code false} is refused)
     * @param timeout   how long to wait for ready before it is stopped
     */
    @RecordBuilder
    public record Worker(
            @Allowed("a list of arguments like [llama-server, -m, \"{model}\"]") List<@Allowed("text (quote \"{model}\")") String> command,
            Optional<String> readyLine,
            @Allowed("a TCP port (1 to 65535)") Optional<Integer> readyPort,
            Optional<Boolean> readyExit,
            @Allowed("a number of seconds from 1 to 86400") Duration timeout) implements PreloaderConfigWorkerBuilder.With {

        public Worker {
            Refused.unless(command != null && !command.isEmpty() && !command.getFirst().isBlank(), "command", command);
            command = List.copyOf(command);
            timeout = requireNonNullElse(timeout, Duration.ofSeconds(600));
            List<String> probes = Stream.of(readyLine.map(_ -> "ready_line"), readyPort.map(_ -> "ready_port"), readyExit.map(_ -> "ready_exit"))
                    .flatMap(Optional::stream).toList();
            if (probes.size() > 1) {
                throw new Refused("", "use exactly one of ready_line, ready_port, ready_exit, found " + String.join(" and ", probes));
            }
            readyPort.ifPresent(port -> Refused.unless(port >= 1 && port <= 65535, "ready_port", port));
            if (readyExit.equals(Optional.of(false))) {
                throw new Refused("ready_exit", "false leaves nothing to wait for; set ready_line or ready_port instead");
            }
            Refused.unless(timeout.toSeconds() >= 1 && timeout.toSeconds() <= 86_400, "timeout", timeout);
            probe(readyLine, readyPort);
        }

        /** What says it is ready: a line, a port, or its clean exit. */
        public ReadinessProbe probe() {
            return probe(readyLine, readyPort);
        }

        private static ReadinessProbe probe(Optional<String> readyLine, Optional<Integer> readyPort) {
            try {
                return readyLine.map(ReadinessProbe::line).or(() -> readyPort.map(ReadinessProbe::port)).orElseGet(ReadinessProbe::exit);
            } catch (PatternSyntaxException e) {
                throw new Refused("ready_line", "'" + e.getPattern() + "' is not a regular expression: " + e.getDescription());
            }
        }
    }
}
