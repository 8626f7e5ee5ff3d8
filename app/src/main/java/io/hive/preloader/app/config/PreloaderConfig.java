package io.hive.preloader.app.config;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ReadinessProbe;

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
 * @param keep           models never evicted (like Ollama's {@code keep_alive: -1}): pinned, and loaded when a
 *                       daemon starts or by {@code preload --auto}
 * @param transfer       how models move to a device: the device, the plan, the staging chunk size and readers
 * @param hugepages      where {@code store: hugepages} puts its shared files: a hugetlbfs mount, else a fallback folder
 * @param http           how {@code serve} listens: address, port, bearer token, body limit, shutdown timeout
 * @param workers        the workers {@code serve}'s API may start by name ({@code workers:}), in the file's order
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
        Optional<Path> journal,
        List<ModelId> keep,
        Transfer transfer,
        HugePages hugepages,
        Http http,
        Map<String, Worker> workers) {

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
        keep = List.copyOf(new java.util.LinkedHashSet<>(keep));
        Objects.requireNonNull(transfer, "transfer");
        Objects.requireNonNull(hugepages, "hugepages");
        Objects.requireNonNull(http, "http");
        workers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(workers));
        if (autoPreload < 0) {
            throw new IllegalArgumentException("auto_preload must be 0 or more, got " + autoPreload);
        }
    }

    /** A config that keeps no model pinned. */
    public PreloaderConfig(List<Path> models, Map<ModelId, Path> aliases, Store store, boolean mmapLock, boolean bufferDirectIo,
                           Policy policy, String budget, int autoPreload, Sink sink, Optional<Path> journal) {
        this(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, List.of());
    }

    /** A config with the default transfer settings. */
    public PreloaderConfig(List<Path> models, Map<ModelId, Path> aliases, Store store, boolean mmapLock, boolean bufferDirectIo,
                           Policy policy, String budget, int autoPreload, Sink sink, Optional<Path> journal, List<ModelId> keep) {
        this(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, Transfer.defaults());
    }

    /** A config with the default hugepages folders. */
    public PreloaderConfig(List<Path> models, Map<ModelId, Path> aliases, Store store, boolean mmapLock, boolean bufferDirectIo,
                           Policy policy, String budget, int autoPreload, Sink sink, Optional<Path> journal, List<ModelId> keep,
                           Transfer transfer) {
        this(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                HugePages.defaults());
    }

    /** A config with the default HTTP settings. */
    public PreloaderConfig(List<Path> models, Map<ModelId, Path> aliases, Store store, boolean mmapLock, boolean bufferDirectIo,
                           Policy policy, String budget, int autoPreload, Sink sink, Optional<Path> journal, List<ModelId> keep,
                           Transfer transfer, HugePages hugepages) {
        this(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                hugepages, Http.defaults());
    }

    /** A config that names no workers. */
    public PreloaderConfig(List<Path> models, Map<ModelId, Path> aliases, Store store, boolean mmapLock, boolean bufferDirectIo,
                           Policy policy, String budget, int autoPreload, Sink sink, Optional<Path> journal, List<ModelId> keep,
                           Transfer transfer, HugePages hugepages, Http http) {
        this(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                hugepages, http, Map.of());
    }

    /**
     * A worker {@code serve}'s API may start by its name (an entry of {@code workers:}): requests name it, never a command.
     *
     * @param command        the command line; {@code {model}} in it becomes the path the worker reads the model from
     * @param probe          what says it is ready: a line, a port, or its clean exit
     * @param timeoutSeconds how long to wait for that before it is stopped
     */
    public record Worker(List<String> command, ReadinessProbe probe, int timeoutSeconds) {
        public static final int DEFAULT_TIMEOUT = 600;

        public Worker {
            command = List.copyOf(command);
            Objects.requireNonNull(probe, "probe");
            if (command.isEmpty() || command.getFirst().isBlank()) {
                throw new IllegalArgumentException("a worker needs a command to run");
            }
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("a worker's timeout must be 1 second or more, got " + timeoutSeconds);
            }
        }
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
     * How models move to a device.
     *
     * @param device    the device transfers go to unless a caller names one (checked against the CUDA devices)
     * @param plan      {@code auto}: direct when the resident region can be pinned, else staged
     * @param chunkSize bytes per staging slot and per direct copy, a multiple of 4 KiB from 64 KiB to 1 GiB
     * @param readers   reader stages of the staging pipeline, 1 to 256
     */
    public record Transfer(int device, Plan plan, long chunkSize, int readers) {
        public static final long DEFAULT_CHUNK = 16L << 20;
        public static final int DEFAULT_READERS = 4;

        public Transfer {
            Objects.requireNonNull(plan, "plan");
            if (device < 0) {
                throw new IllegalArgumentException("device must be 0 or more, got " + device);
            }
            if (chunkSize < 64 * 1024 || chunkSize > (1L << 30) || chunkSize % 4096 != 0) {
                throw new IllegalArgumentException("chunk_size must be a multiple of 4 KiB from 64 KiB to 1 GiB, got " + chunkSize);
            }
            if (readers < 1 || readers > 256) {
                throw new IllegalArgumentException("readers must be from 1 to 256, got " + readers);
            }
        }

        /** Device 0, plan auto, 16 MiB chunks, 4 readers. */
        public static Transfer defaults() {
            return new Transfer(0, Plan.AUTO, DEFAULT_CHUNK, DEFAULT_READERS);
        }
    }

    /**
     * Where the hugepages store puts its shared files.
     *
     * @param mount    the hugetlbfs mount used when it is mounted, writable and has huge pages; empty for none
     * @param fallback the folder used otherwise, a tmpfs such as {@code /dev/shm} (transparent huge pages where allowed)
     */
    public record HugePages(Optional<Path> mount, Path fallback) {
        public static final Path DEFAULT_MOUNT = Path.of("/dev/hugepages");
        public static final Path DEFAULT_FALLBACK = Path.of("/dev/shm");

        public HugePages {
            mount = mount.map(p -> p.toAbsolutePath().normalize());
            fallback = fallback.toAbsolutePath().normalize();
        }

        /** hugetlbfs at {@code /dev/hugepages}, else {@code /dev/shm}. */
        public static HugePages defaults() {
            return new HugePages(Optional.of(DEFAULT_MOUNT), DEFAULT_FALLBACK);
        }
    }

    /**
     * How {@code serve} listens (the {@code http:} section).
     *
     * @param host                   the address to bind: loopback unless the API is meant to be reached from elsewhere
     * @param port                   the TCP port; 0 picks a free one
     * @param token                  the admin token: every call may carry it, changes must (the {@code PRELOADER_TOKEN}
     *                               environment variable overrides it)
     * @param maxBodyBytes           the largest request body accepted
     * @param shutdownTimeoutSeconds how long a shutdown waits for in-flight transfers before it cancels them
     * @param readToken              a second token that reads the API but changes nothing ({@code read_token})
     * @param metricsPublic          whether {@code /metrics} answers without a token ({@code metrics_public}, true)
     * @param allowedHosts           names besides localhost and IP literals a request's Host may carry ({@code allowed_hosts})
     * @param tls                    HTTPS with a PEM certificate and key, or a keystore ({@code tls})
     */
    public record Http(String host, int port, Optional<String> token, long maxBodyBytes, int shutdownTimeoutSeconds,
                       Optional<String> readToken, boolean metricsPublic, List<String> allowedHosts, Optional<Tls> tls) {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 7780;
        public static final long DEFAULT_MAX_BODY = 64 * 1024;
        public static final int DEFAULT_SHUTDOWN_TIMEOUT = 30;

        public Http {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(readToken, "readToken");
            Objects.requireNonNull(tls, "tls");
            allowedHosts = List.copyOf(allowedHosts);
        }

        /** The first five keys; no read token, public metrics, no other names, plain HTTP. */
        public Http(String host, int port, Optional<String> token, long maxBodyBytes, int shutdownTimeoutSeconds) {
            this(host, port, token, maxBodyBytes, shutdownTimeoutSeconds, Optional.empty(), true, List.of(), Optional.empty());
        }

        /** Loopback, port {@value #DEFAULT_PORT}, no token, 64 KiB bodies, 30 s to shut down. */
        public static Http defaults() {
            return new Http(DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_MAX_BODY, DEFAULT_SHUTDOWN_TIMEOUT);
        }

        /** The same settings on another address and port ({@code serve --host --port}). */
        public Http withListen(String newHost, int newPort) {
            return new Http(newHost, newPort, token, maxBodyBytes, shutdownTimeoutSeconds, readToken, metricsPublic, allowedHosts, tls);
        }

        /** Never prints a token or a password. */
        @Override
        public String toString() {
            return "Http[host=" + host + ", port=" + port + ", token=" + (token.isPresent() ? "<hidden>" : "none")
                    + ", maxBodyBytes=" + maxBodyBytes + ", shutdownTimeoutSeconds=" + shutdownTimeoutSeconds
                    + ", readToken=" + (readToken.isPresent() ? "<hidden>" : "none") + ", metricsPublic=" + metricsPublic
                    + ", allowedHosts=" + allowedHosts + ", tls=" + tls.map(Object::toString).orElse("none") + "]";
        }
    }

    /** {@code http.tls}: {@code {cert, key}} (PEM files) or {@code {keystore, password}} (PKCS#12 or JKS). */
    public sealed interface Tls {
        record Pem(Path cert, Path key) implements Tls {
        }

        record Keystore(Path file, String password) implements Tls {
            /** Never prints the password. */
            @Override
            public String toString() {
                return "Keystore[file=" + file + ", password=<hidden>]";
            }
        }
    }

    /** Everything at its default: models in {@code ./models}, mmap, the Caffeine policy, half of RAM, the host sink. */
    public static PreloaderConfig defaults() {
        return new PreloaderConfig(List.of(Path.of(DEFAULT_MODELS)), Map.of(), Store.MMAP, false, false, Policy.CAFFEINE,
                "50%", 0, Sink.HOST, Optional.empty(), List.of(), Transfer.defaults(), HugePages.defaults(),
                Http.defaults());
    }

    /** The access journal: the configured file, else {@value #JOURNAL_FILE} in the first models folder, else none. */
    public Optional<Path> journalFile() {
        return journal.or(() -> models.stream().findFirst().map(folder -> folder.resolve(JOURNAL_FILE)));
    }

    public PreloaderConfig withModels(List<Path> folders) {
        return new PreloaderConfig(folders, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer, hugepages, http, workers);
    }

    /** The same config with the access journal in {@code file}, wherever the models folders are. */
    public PreloaderConfig withJournal(Path file) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, Optional.of(file), keep, transfer, hugepages, http, workers);
    }

    public PreloaderConfig withAliases(Map<ModelId, Path> more) {
        Map<ModelId, Path> all = new LinkedHashMap<>(aliases);
        all.putAll(more);
        return new PreloaderConfig(models, all, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer, hugepages, http, workers);
    }

    public PreloaderConfig withStore(Store newStore) {
        return new PreloaderConfig(models, aliases, newStore, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer, hugepages, http, workers);
    }

    public PreloaderConfig withPolicy(Policy newPolicy) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, newPolicy, budget, autoPreload, sink, journal, keep, transfer, hugepages, http, workers);
    }

    public PreloaderConfig withBudget(String newBudget) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, newBudget, autoPreload, sink, journal, keep, transfer, hugepages, http, workers);
    }

    public PreloaderConfig withSink(Sink newSink) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, newSink, journal, keep, transfer, hugepages, http, workers);
    }

    /** The same config keeping (pinning) these models. */
    public PreloaderConfig withKeep(List<ModelId> models) {
        return new PreloaderConfig(this.models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, models, transfer, hugepages, http, workers);
    }

    /** The same config with these hugepages folders. */
    public PreloaderConfig withHugePages(HugePages settings) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                settings, http, workers);
    }

    /** The same config with these transfer settings. */
    public PreloaderConfig withTransfer(Transfer settings) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, settings, hugepages, http, workers);
    }

    /** The same config with these HTTP settings. */
    public PreloaderConfig withHttp(Http settings) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                hugepages, settings, workers);
    }

    /** The same config with these workers. */
    public PreloaderConfig withWorkers(Map<String, Worker> newWorkers) {
        return new PreloaderConfig(models, aliases, store, mmapLock, bufferDirectIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                hugepages, http, newWorkers);
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
