package io.hive.preloader.app.config;

import io.hive.preloader.app.config.PreloaderConfig.Policy;
import io.hive.preloader.app.config.PreloaderConfig.Sink;
import io.hive.preloader.app.config.PreloaderConfig.Store;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ModelId;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the YAML config file into a {@link PreloaderConfig}. Only plain YAML types are built (no tags naming Java
 * classes); duplicate keys, unknown keys and bad values are refused with one line naming the key and what is
 * allowed. Relative paths are taken from the config file's folder.
 *
 * <pre>
 * models: [/srv/models]          # folders of *.gguf files (default ./models)
 * aliases: {chat: /srv/x.gguf}   # extra ids naming one file each
 * store: mmap                    # mmap | buffer | hugepages
 * mmap: {lock: false}            # mlock resident models
 * buffer: {direct_io: false}     # read with O_DIRECT
 * hugepages:                     # shared files a worker maps: hugetlbfs where mounted, else the fallback tmpfs
 *   mount: /dev/hugepages        # (null for none)
 *   fallback: /dev/shm
 * policy: caffeine               # caffeine (W-TinyLFU) | lru | lfu
 * budget: 50%                    # bytes, 8GiB, or a share of RAM
 * auto_preload: 0                # most used models to preload at startup
 * sink: host                     # host | cuda (the host sink where libcuda.so.1 or a GPU is missing)
 * device: 0                      # the GPU transfers go to unless a caller names one
 * plan: auto                     # auto | direct | staged
 * chunk_size: 16MiB              # staging slot and direct copy size
 * readers: 4                     # reader stages of the staging pipeline
 * journal: /srv/models/.preloader-journal.tsv
 * keep: [llama3]                 # models never evicted (pinned), loaded at startup
 * http:                          # how 'serve' listens
 *   host: 127.0.0.1              # loopback unless the API must be reached from elsewhere
 *   port: 7780                   # 0 picks a free port
 *   token: ...                   # the admin token: reads and changes (PRELOADER_TOKEN overrides it)
 *   read_token: ...              # a token that reads the API and changes nothing
 *   max_body: 64KiB              # largest request body
 *   shutdown_timeout: 30         # seconds a shutdown waits for in-flight transfers
 *   metrics_public: true         # /metrics without a token
 *   allowed_hosts: []            # names besides localhost and IP literals that a request's Host may carry
 *   tls: {cert: FILE, key: FILE} # HTTPS with PEM files, or {keystore: FILE, password: ...}
 * workers:                       # workers 'serve' may start by name (POST /v1/models/{id}/spawn)
 *   llama-server: {command: [llama-server, -m, "{model}", --port, "8080"], ready_port: 8080, timeout: 600}
 *                                # one of ready_line (regex), ready_port, ready_exit (the default); timeout in seconds
 * </pre>
 */
public final class ConfigLoader {
    private static final List<String> KEYS =
            List.of("models", "aliases", "store", "mmap", "buffer", "policy", "budget", "auto_preload", "sink", "journal", "keep",
                    "device", "plan", "chunk_size", "readers", "hugepages", "http", "workers");
    private static final List<String> WORKER_KEYS = List.of("command", "ready_line", "ready_port", "ready_exit", "timeout");
    private static final java.util.regex.Pattern WORKER_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A budget given as a share of RAM is checked against this much RAM, so that only its form is validated here. */
    private static final long SAMPLE_RAM = 1L << 40;

    private final Path file;
    private final Path base;

    private ConfigLoader(Path file) {
        this.file = file;
        Path parent = file.toAbsolutePath().normalize().getParent();
        this.base = parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** Reads and validates the file. */
    public static PreloaderConfig load(Path file) {
        ConfigLoader loader = new ConfigLoader(file);
        String text;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file, "is a directory, not a YAML file");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file, "permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file, "cannot be read: " + e.getMessage());
        }
        return loader.parse(text);
    }

    /** Validates YAML text as if it were read from {@code file} (which names it in errors and anchors relative paths). */
    public static PreloaderConfig parse(String yaml, Path file) {
        return new ConfigLoader(file).parse(yaml);
    }

    private PreloaderConfig parse(String text) {
        Object root = readYaml(text);
        if (root == null) {
            return build(Map.of());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException(file, "the top level must be a mapping of keys (" + String.join(", ", KEYS) + "), found " + kind(root));
        }
        return build(section(map, "", KEYS));
    }

    private Object readYaml(String text) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(20);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        try {
            return yaml.load(text);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            throw new ConfigException(file, "not valid YAML" + where + ": " + oneLine(problem));
        } catch (YAMLException e) {
            throw new ConfigException(file, "not valid YAML: " + oneLine(e.getMessage()));
        }
    }

    private PreloaderConfig build(Map<String, Object> values) {
        PreloaderConfig defaults = PreloaderConfig.defaults();
        List<Path> models = values.containsKey("models") ? folders(values.get("models")) : defaults.models();
        Map<ModelId, Path> aliases = values.containsKey("aliases") ? aliases(values.get("aliases")) : Map.of();
        Store store = choice(values, "store", Store.class, defaults.store());
        Map<String, Object> mmap = subsection(values, "mmap", List.of("lock"));
        Map<String, Object> buffer = subsection(values, "buffer", List.of("direct_io"));
        boolean lock = bool(mmap, "mmap.lock", "lock", defaults.mmapLock());
        boolean directIo = bool(buffer, "buffer.direct_io", "direct_io", defaults.bufferDirectIo());
        Policy policy = choice(values, "policy", Policy.class, defaults.policy());
        String budget = values.containsKey("budget") ? budget(values.get("budget")) : defaults.budget();
        int autoPreload = values.containsKey("auto_preload") ? count(values.get("auto_preload")) : defaults.autoPreload();
        Sink sink = choice(values, "sink", Sink.class, defaults.sink());
        Optional<Path> journal = values.containsKey("journal") ? Optional.of(path(values.get("journal"), "journal")) : Optional.empty();
        List<ModelId> keep = values.containsKey("keep") ? keep(values.get("keep")) : List.of();
        PreloaderConfig.Transfer transfer = transfer(values, defaults.transfer());
        PreloaderConfig.HugePages hugepages = hugepages(subsection(values, "hugepages", List.of("mount", "fallback")), defaults.hugepages());
        PreloaderConfig.Http http = http(subsection(values, "http", List.of("host", "port", "token", "read_token", "max_body",
                "shutdown_timeout", "metrics_public", "allowed_hosts", "tls")), defaults.http());
        Map<String, PreloaderConfig.Worker> workers = workers(values.get("workers"));
        return new PreloaderConfig(models, aliases, store, lock, directIo, policy, budget, autoPreload, sink, journal, keep, transfer,
                hugepages, http, workers);
    }

    /** {@code workers: {name: {command, ready_line | ready_port | ready_exit, timeout}}}: what {@code serve} may start. */
    private Map<String, PreloaderConfig.Worker> workers(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file, "workers: expected a mapping of worker names to {command, ready_line | ready_port | ready_exit, timeout}, found "
                    + kind(value));
        }
        Map<String, PreloaderConfig.Worker> workers = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name) || !WORKER_NAME.matcher(name).matches()) {
                throw new ConfigException(file, "workers: " + render(e.getKey()) + " is not a worker name (letters, digits, . _ -; at most 64)");
            }
            String key = "workers." + name;
            if (!(e.getValue() instanceof Map<?, ?> entry)) {
                throw new ConfigException(file, key + ": expected a mapping with " + String.join(", ", WORKER_KEYS) + ", found " + kind(e.getValue()));
            }
            workers.put(name, worker(section(entry, key + ".", WORKER_KEYS), key));
        }
        return workers;
    }

    private PreloaderConfig.Worker worker(Map<String, Object> section, String key) {
        if (!(section.get("command") instanceof List<?> args) || args.isEmpty()) {
            throw new ConfigException(file, key + ".command: expected a list of arguments like [llama-server, -m, \"{model}\"], found "
                    + kind(section.get("command")));
        }
        List<String> command = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            Object arg = args.get(i);
            if (arg instanceof Integer || arg instanceof Long) {
                arg = String.valueOf(arg);
            }
            if (!(arg instanceof String s) || (i == 0 && s.isBlank())) {
                throw new ConfigException(file, key + ".command[" + i + "]: expected text (quote \"{model}\"), found " + kind(args.get(i)));
            }
            command.add(s);
        }
        List<String> probes = java.util.stream.Stream.of("ready_line", "ready_port", "ready_exit").filter(section::containsKey).toList();
        if (probes.size() > 1) {
            throw new ConfigException(file, key + ": use exactly one of ready_line, ready_port, ready_exit, found " + String.join(" and ", probes));
        }
        io.hive.preloader.core.port.ReadinessProbe probe = io.hive.preloader.core.port.ReadinessProbe.exit();
        if (section.containsKey("ready_line")) {
            if (!(section.get("ready_line") instanceof String regex) || regex.isEmpty()) {
                throw new ConfigException(file, key + ".ready_line: " + render(section.get("ready_line")) + " is not a regular expression");
            }
            try {
                probe = io.hive.preloader.core.port.ReadinessProbe.line(regex);
            } catch (java.util.regex.PatternSyntaxException bad) {
                throw new ConfigException(file, key + ".ready_line: " + render(regex) + " is not a regular expression: " + oneLine(bad.getDescription()));
            }
        } else if (section.containsKey("ready_port")) {
            probe = io.hive.preloader.core.port.ReadinessProbe.port(number(section.get("ready_port"), key + ".ready_port", 1, 65535, "a TCP port (1 to 65535)"));
        } else if (section.containsKey("ready_exit") && !bool(section, key + ".ready_exit", "ready_exit", true)) {
            throw new ConfigException(file, key + ".ready_exit: false leaves nothing to wait for; set ready_line or ready_port instead");
        }
        int timeout = section.containsKey("timeout")
                ? number(section.get("timeout"), key + ".timeout", 1, 86_400, "a number of seconds from 1 to 86400")
                : PreloaderConfig.Worker.DEFAULT_TIMEOUT;
        return new PreloaderConfig.Worker(command, probe, timeout);
    }

    /** {@code hugepages: {mount, fallback}}: a null mount means no hugetlbfs, only the fallback folder. */
    private PreloaderConfig.HugePages hugepages(Map<String, Object> section, PreloaderConfig.HugePages defaults) {
        Optional<Path> mount = !section.containsKey("mount") ? defaults.mount()
                : section.get("mount") == null ? Optional.empty() : Optional.of(path(section.get("mount"), "hugepages.mount"));
        Path fallback = section.containsKey("fallback") ? path(section.get("fallback"), "hugepages.fallback") : defaults.fallback();
        return new PreloaderConfig.HugePages(mount, fallback);
    }

    /** {@code http: {host, port, token, read_token, max_body, shutdown_timeout, metrics_public, allowed_hosts, tls}}; tokens are never echoed in an error. */
    private PreloaderConfig.Http http(Map<String, Object> section, PreloaderConfig.Http defaults) {
        String host = defaults.host();
        if (section.containsKey("host")) {
            if (!(section.get("host") instanceof String h) || h.isBlank() || !h.strip().matches("[A-Za-z0-9.:_\\[\\]-]+")) {
                throw new ConfigException(file, "http.host: " + render(section.get("host")) + " is not an address (e.g. 127.0.0.1, or 0.0.0.0 for every interface)");
            }
            host = h.strip();
        }
        int port = section.containsKey("port") ? number(section.get("port"), "http.port", 0, 65535, "a TCP port (0 to 65535; 0 picks a free one)")
                : defaults.port();
        Optional<String> token = section.get("token") == null ? defaults.token() : Optional.of(token(section.get("token"), "http.token"));
        Optional<String> readToken = section.get("read_token") == null ? defaults.readToken()
                : Optional.of(token(section.get("read_token"), "http.read_token"));
        if (readToken.isPresent() && readToken.equals(token)) {
            throw new ConfigException(file, "http.read_token: it is the same as http.token; give the read token a value of its own");
        }
        long maxBody = defaults.maxBodyBytes();
        if (section.containsKey("max_body")) {
            Object value = section.get("max_body");
            String spec = value instanceof Integer || value instanceof Long ? String.valueOf(value) : value instanceof String v ? v.strip() : null;
            maxBody = -1;
            try {
                maxBody = spec == null ? -1 : io.hive.preloader.core.model.ByteSize.parse(spec);
            } catch (IllegalArgumentException e) {
                maxBody = -1;
            }
            if (maxBody < 1 || maxBody > (16L << 20)) {
                throw new ConfigException(file, "http.max_body: " + render(value) + " is not a size from 1 byte to 16MiB, like 64KiB");
            }
        }
        int shutdown = section.containsKey("shutdown_timeout")
                ? number(section.get("shutdown_timeout"), "http.shutdown_timeout", 0, 3600, "a number of seconds from 0 to 3600")
                : defaults.shutdownTimeoutSeconds();
        boolean metricsPublic = bool(section, "http.metrics_public", "metrics_public", defaults.metricsPublic());
        List<String> allowedHosts = section.containsKey("allowed_hosts") ? allowedHosts(section.get("allowed_hosts")) : defaults.allowedHosts();
        Optional<PreloaderConfig.Tls> tls = section.get("tls") == null ? defaults.tls() : Optional.of(tls(section.get("tls")));
        return new PreloaderConfig.Http(host, port, token, maxBody, shutdown, readToken, metricsPublic, allowedHosts, tls);
    }

    /** A bearer token: never echoed in an error. */
    private String token(Object value, String key) {
        if (!(value instanceof String t)) {
            throw new ConfigException(file, key + ": expected text (quote it), found " + kindOf(value));
        }
        if (t.length() < 16 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ConfigException(file, key + ": use at least 16 printable characters without spaces (e.g. the output of "
                    + "'openssl rand -hex 32'); this one has " + t.length());
        }
        return t;
    }

    /** {@code http.allowed_hosts: [NAME…]}: host names, without port or scheme. */
    private List<String> allowedHosts(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(file, "http.allowed_hosts: expected a list of host names like [preloader.preloader.svc], found " + kind(value));
        }
        List<String> names = new ArrayList<>();
        for (Object name : list) {
            if (!(name instanceof String n) || !n.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
                throw new ConfigException(file, "http.allowed_hosts: " + render(name)
                        + " is not a host name (letters, digits, hyphens and dots; no port, no scheme, no wildcard)");
            }
            names.add(n.toLowerCase(Locale.ROOT));
        }
        return names;
    }

    /** {@code http.tls: {cert, key}} or {@code {keystore, password}}; the password is never echoed. */
    private PreloaderConfig.Tls tls(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file, "http.tls: expected {cert: FILE, key: FILE} or {keystore: FILE, password: ...}, found " + kind(value));
        }
        Map<String, Object> tls = section(map, "http.tls.", List.of("cert", "key", "keystore", "password"));
        if (tls.containsKey("keystore")) {
            if (tls.containsKey("cert") || tls.containsKey("key")) {
                throw new ConfigException(file, "http.tls: give either cert and key (PEM files) or keystore and password, not both");
            }
            Object password = tls.get("password");
            if (password != null && !(password instanceof String)) {
                throw new ConfigException(file, "http.tls.password: expected text (quote it), found " + kindOf(password));
            }
            return new PreloaderConfig.Tls.Keystore(path(tls.get("keystore"), "http.tls.keystore"), password == null ? "" : (String) password);
        }
        if (!tls.containsKey("cert") || !tls.containsKey("key")) {
            throw new ConfigException(file, "http.tls: give cert and key (PEM files), or keystore and password");
        }
        return new PreloaderConfig.Tls.Pem(path(tls.get("cert"), "http.tls.cert"), path(tls.get("key"), "http.tls.key"));
    }

    /** What a value is, without showing it. */
    private static String kindOf(Object value) {
        return switch (value) {
            case Map<?, ?> _ -> "a mapping";
            case List<?> _ -> "a list";
            case Boolean _ -> "a boolean";
            case Number _ -> "a number";
            case null, default -> "something else";
        };
    }

    /** The keys of a mapping, each checked against the allowed ones. */
    private Map<String, Object> section(Map<?, ?> map, String prefix, List<String> allowed) {
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> known = Set.copyOf(allowed);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new ConfigException(file, prefix + "key " + render(e.getKey()) + " is not a name; allowed keys: " + String.join(", ", allowed));
            }
            if (!known.contains(key)) {
                throw new ConfigException(file, "unknown key '" + prefix + key + "'; allowed keys"
                        + (prefix.isEmpty() ? "" : " under " + prefix.substring(0, prefix.length() - 1)) + ": " + String.join(", ", allowed));
            }
            values.put(key, e.getValue());
        }
        return values;
    }

    private Map<String, Object> subsection(Map<String, Object> values, String key, List<String> allowed) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file, key + ": expected a mapping with " + String.join(", ", allowed) + ", found " + kind(value));
        }
        return section(map, key + ".", allowed);
    }

    private List<Path> folders(Object value) {
        if (value instanceof String s) {
            return List.of(path(s, "models"));
        }
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(file, "models: expected a list of folders, found " + kind(value));
        }
        List<Path> folders = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            folders.add(path(list.get(i), "models[" + i + "]"));
        }
        return folders;
    }

    private Map<ModelId, Path> aliases(Object value) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ConfigException(file, "aliases: expected a mapping of model id to file, found " + kind(value));
        }
        Map<ModelId, Path> aliases = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            ModelId id;
            try {
                id = ModelId.of(key);
            } catch (IllegalArgumentException bad) {
                throw new ConfigException(file, "aliases: " + bad.getMessage());
            }
            aliases.put(id, path(e.getValue(), "aliases." + key));
        }
        return aliases;
    }

    /** {@code device}, {@code plan}, {@code chunk_size} and {@code readers}: how models move to a device. */
    private PreloaderConfig.Transfer transfer(Map<String, Object> values, PreloaderConfig.Transfer defaults) {
        int device = values.containsKey("device") ? number(values.get("device"), "device", 0, 1023, "a device number (0 or more)") : defaults.device();
        PreloaderConfig.Plan plan = choice(values, "plan", PreloaderConfig.Plan.class, defaults.plan());
        long chunkSize = values.containsKey("chunk_size") ? chunkSize(values.get("chunk_size")) : defaults.chunkSize();
        int readers = values.containsKey("readers") ? number(values.get("readers"), "readers", 1, 256, "a count of reader threads from 1 to 256")
                : defaults.readers();
        return new PreloaderConfig.Transfer(device, plan, chunkSize, readers);
    }

    private int number(Object value, String key, int min, int max, String allowed) {
        if (value instanceof Integer i && i >= min && i <= max) {
            return i;
        }
        throw new ConfigException(file, key + ": " + render(value) + " is not " + allowed);
    }

    private long chunkSize(Object value) {
        String allowed = "a size from 64KiB to 1GiB in whole 4 KiB pages, like 16MiB";
        String spec = switch (value) {
            case Integer i -> Long.toString(i);
            case Long l -> Long.toString(l);
            case String s -> s.strip();
            case null, default -> null;
        };
        long bytes = -1;
        if (spec != null) {
            try {
                bytes = io.hive.preloader.core.model.ByteSize.parse(spec);
            } catch (IllegalArgumentException e) {
                bytes = -1;
            }
        }
        if (bytes < 64 * 1024 || bytes > (1L << 30) || bytes % 4096 != 0) {
            throw new ConfigException(file, "chunk_size: " + render(value) + " is not " + allowed);
        }
        return bytes;
    }

    /** {@code keep: [id, …]} or one id: models never evicted. */
    private List<ModelId> keep(Object value) {
        List<?> items = switch (value) {
            case null -> List.of();
            case String s -> List.of(s);
            case List<?> list -> list;
            default -> throw new ConfigException(file, "keep: expected a list of model ids, found " + kind(value));
        };
        List<ModelId> ids = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof String s)) {
                throw new ConfigException(file, "keep[" + i + "]: expected a model id, found " + kind(items.get(i)));
            }
            try {
                ids.add(ModelId.of(s.strip()));
            } catch (IllegalArgumentException bad) {
                throw new ConfigException(file, "keep[" + i + "]: " + bad.getMessage());
            }
        }
        return ids;
    }

    private Path path(Object value, String key) {
        if (!(value instanceof String s) || s.isBlank()) {
            throw new ConfigException(file, key + ": expected a path, found " + kind(value));
        }
        try {
            Path p = Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
            return base.resolve(p).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(file, key + ": '" + s + "' is not a valid path");
        }
    }

    private <E extends Enum<E>> E choice(Map<String, Object> values, String key, Class<E> type, E fallback) {
        if (!values.containsKey(key)) {
            return fallback;
        }
        Object value = values.get(key);
        String allowed = PreloaderConfig.namesOf(type);
        if (value instanceof String s) {
            for (E option : type.getEnumConstants()) {
                if (PreloaderConfig.nameOf(option).equals(s.strip().toLowerCase(Locale.ROOT))) {
                    return option;
                }
            }
        }
        throw new ConfigException(file, key + ": " + render(value) + " is not one of " + allowed);
    }

    private boolean bool(Map<String, Object> section, String key, String name, boolean fallback) {
        if (!section.containsKey(name)) {
            return fallback;
        }
        if (section.get(name) instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(file, key + ": " + render(section.get(name)) + " is not one of true, false");
    }

    private String budget(Object value) {
        String spec = switch (value) {
            case Integer i -> Long.toString(i);
            case Long l -> Long.toString(l);
            case String s -> s.strip();
            case null, default -> null;
        };
        String allowed = "a byte count, a size like 8GiB or 512MiB, or a share of RAM like 50%";
        if (spec == null) {
            throw new ConfigException(file, "budget: " + render(value) + " is not " + allowed);
        }
        try {
            ByteBudget.parse(spec, SAMPLE_RAM);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, "budget: " + render(value) + " is not " + allowed + " (above 0, at most 100%)");
        }
        return spec;
    }

    private int count(Object value) {
        if (value instanceof Integer i && i >= 0) {
            return i;
        }
        throw new ConfigException(file, "auto_preload: " + render(value) + " is not a count of models (0 or more)");
    }

    private static String render(Object value) {
        return switch (value) {
            case null -> "an empty value";
            case String s -> "'" + oneLine(s) + "'";
            case Map<?, ?> _ -> "a mapping";
            case List<?> _ -> "a list";
            default -> "'" + oneLine(String.valueOf(value)) + "'";
        };
    }

    private static String kind(Object value) {
        return switch (value) {
            case null -> "an empty value";
            case String s -> "the text '" + oneLine(s) + "'";
            case Map<?, ?> _ -> "a mapping";
            case List<?> _ -> "a list";
            case Boolean b -> "the boolean " + b;
            case Number n -> "the number " + n;
            default -> "a " + value.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        };
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("\\s*\\R\\s*", " ").strip();
        return flat.length() > 120 ? flat.substring(0, 117) + "..." : flat;
    }
}
