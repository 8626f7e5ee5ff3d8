package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Hugging Face hub cache: a folder per repository, {@code models--ORG--REPO}, holding {@code refs/main} (the commit
 * the main branch was at when last downloaded), {@code snapshots/COMMIT/…} (the repository's files at that commit, as
 * relative symlinks {@code ../../blobs/HASH}) and {@code blobs/} (the bytes, a large file's named by its SHA-256). The
 * {@code .gguf} files of the snapshot {@code refs/main} names are the models; their digest is their blob's name.
 */
final class HubSnapshots implements StoreIndex {
    private static final System.Logger LOG = System.getLogger(HubSnapshots.class.getName());
    static final String REPO_PREFIX = "models--";
    /** The hub's separator of org and repository in a folder's name; a repository id may not contain it. */
    private static final String REPO_SEPARATOR = "--";
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SPLIT = Pattern.compile("(.+)-(\\d{5})-of-(\\d{5})\\.gguf");
    private static final Pattern LFS_BLOB = Pattern.compile("[0-9a-f]{64}");
    private static final String EXTENSION = ".gguf";

    private final Path root;
    private final Warnings warnings = new Warnings(LOG);

    private HubSnapshots(Path root) {
        this.root = root;
    }

    /** @throws IllegalArgumentException naming the folder, when it is missing or holds no repository as the hub keeps one */
    static HubSnapshots open(Path configured) {
        Path root = StoreFolders.real("huggingface", configured);
        if (repositories(root).isEmpty() && !StoreFolders.isEmpty(root)) {
            String hint = Files.isDirectory(root.resolve("hub")) ? "; did you mean " + root.resolve("hub") + "?" : "";
            throw new IllegalArgumentException("huggingface: " + configured + " is not a Hugging Face hub cache: it holds no "
                    + REPO_PREFIX + "ORG--REPO folder (the hub keeps them in ~/.cache/huggingface/hub, or $HF_HUB_CACHE)" + hint);
        }
        return new HubSnapshots(root);
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public SortedMap<ModelId, StoreEntry> scan() {
        SortedMap<ModelId, StoreEntry> found = new TreeMap<>();
        for (Path repo : repositories(root)) {
            repository(repo).forEach(e -> found.putIfAbsent(e.id(), e));
        }
        return found;
    }

    /** Only the repositories the id can name are read: {@code models--A--B} for {@code A+B+…}, {@code models--A} for {@code A+…}. */
    @Override
    public Optional<StoreEntry> find(ModelId id) {
        String[] parts = id.value().split("\\+", 3);
        List<Path> candidates = new ArrayList<>();
        if (parts.length == 3) {
            candidates.add(root.resolve(REPO_PREFIX + parts[0] + REPO_SEPARATOR + parts[1]));
        }
        if (parts.length >= 2) {
            candidates.add(root.resolve(REPO_PREFIX + parts[0]));
        }
        return candidates.stream().filter(Files::isDirectory).flatMap(repo -> repository(repo).stream())
                .filter(e -> e.id().equals(id)).findFirst();
    }

    /** A download in progress ({@code HASH.incomplete}) and the hub's locks change no model. */
    @Override
    public boolean relevant(Path name) {
        String n = name.toString();
        return !n.endsWith(".incomplete") && !n.endsWith(".lock");
    }

    @Override
    public boolean holds(Path realPath) {
        return realPath.startsWith(root) && realPath.getParent() != null && realPath.getParent().getFileName().toString().equals("blobs");
    }

    private static List<Path> repositories(Path root) {
        List<Path> repos = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, REPO_PREFIX + "*")) {
            entries.forEach(p -> {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    repos.add(p);
                }
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot list the hub cache " + root + ": " + e.getMessage(), e);
        }
        repos.sort(null);
        return repos;
    }

    /** The models of one repository's main revision; none, with a warning, when it has no usable {@code refs/main}. */
    private List<StoreEntry> repository(Path repo) {
        String name = repo.getFileName().toString().substring(REPO_PREFIX.length());
        String prefix = name.replace(REPO_SEPARATOR, "+") + "+";
        Path refs = repo.resolve("refs").resolve("main");
        Fingerprint version;
        String commit;
        try {
            Optional<Fingerprint> fingerprint = UnixFiles.fingerprint(refs); // before the read: a later write changes it
            if (fingerprint.isEmpty()) {
                warnings.once("skipping hub repository " + repo + ": " + refs + " is not a regular file");
                return List.of();
            }
            version = fingerprint.get();
            commit = Files.readString(refs, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            warnings.once("skipping hub repository " + repo + ": it has no refs/main (downloaded at a revision only)");
            return List.of();
        } catch (IOException e) {
            warnings.once("skipping hub repository " + repo + ": cannot read " + refs + ": " + e);
            return List.of();
        }
        if (!COMMIT.matcher(commit).matches()) {
            warnings.once("skipping hub repository " + repo + ": " + refs + " does not hold a commit hash");
            return List.of();
        }
        Path snapshot = repo.resolve("snapshots").resolve(commit);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> tree = Files.walk(snapshot)) {
            tree.filter(p -> p.getFileName().toString().endsWith(EXTENSION) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(files::add);
        } catch (IOException | RuntimeException e) {
            warnings.once("skipping hub repository " + repo + ": cannot list the snapshot " + snapshot + " that refs/main names: " + e);
            return List.of();
        }
        files.sort(null);
        List<StoreEntry> entries = new ArrayList<>();
        Map<String, List<Path>> splits = new LinkedHashMap<>();
        for (Path file : files) {
            String relative = snapshot.relativize(file).toString();
            Matcher split = SPLIT.matcher(relative);
            if (split.matches()) {
                splits.computeIfAbsent(split.group(1), _ -> new ArrayList<>()).add(file);
            } else {
                idOf(prefix, relative.substring(0, relative.length() - EXTENSION.length()), file).ifPresent(id ->
                        entries.add(new StoreEntry(blob(id, file, repo.resolve("blobs")), refs, version)));
            }
        }
        splits.forEach((stem, parts) -> idOf(prefix, stem, parts.getFirst()).ifPresent(id ->
                entries.add(new StoreEntry(split(id, parts), refs, version))));
        return entries;
    }

    /**
     * A model split in parts is refused, not loaded: a worker is handed one file, and llama.cpp finds the other parts
     * beside it by name, which a store's blob paths do not keep.
     */
    private static Lookup split(ModelId id, List<Path> parts) {
        Matcher first = SPLIT.matcher(parts.getFirst().getFileName().toString());
        String total = first.matches() ? String.valueOf(Integer.parseInt(first.group(3))) : "several";
        return BlobLink.broken(id, parts.getFirst(), "is part of a GGUF model split in " + total + " files, which the preloader "
                + "does not serve (one file per model): merge the parts with 'llama-gguf-split --merge' into a models folder");
    }

    /** The snapshot's link followed into the repository's blobs; a large file's blob is named by its SHA-256. */
    private static Lookup blob(ModelId id, Path link, Path blobs) {
        Lookup blob = BlobLink.resolve(id, link, blobs, link, Optional.empty());
        if (blob instanceof Lookup.Found(var model) && LFS_BLOB.matcher(model.path().getFileName().toString()).matches()) {
            return new Lookup.Found(model.withDigest(Optional.of(new Sha256(model.path().getFileName().toString()))));
        }
        return blob;
    }

    private Optional<ModelId> idOf(String prefix, String path, Path file) {
        try {
            return Optional.of(ModelId.of(prefix + path.replace('/', '+')));
        } catch (IllegalArgumentException e) {
            warnings.once("skipping " + file + ": its name makes no model id (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }
}
