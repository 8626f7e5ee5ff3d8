package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.FileStatus;
import io.hive.preloader.linux.MappedHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Models as {@code *.gguf} files in one or more folders, plus aliases from config. A file's id is its name without
 * {@code .gguf}; files whose names are not valid ids are skipped with a warning.
 *
 * <p>Every call looks at the disk again, so a fingerprint is always the file's current one. A file is served only
 * when its real path, symlinks resolved, lies inside its folder (an alias: inside one of the folders); the descriptor
 * carries that real path, so a symlink swapped after the check cannot redirect the read. When two folders hold the
 * same id the first folder wins; an alias wins over a file of the same name, since config is the explicit word.
 *
 * <p>A model's digest, when one is known ({@link Digests}: configured for an alias, a {@code MODEL.gguf.sha256}
 * sidecar, a file named like an Ollama blob), goes in its descriptor for the load to verify; a sidecar that cannot be
 * used makes the model unservable ({@link #unservable()}), listed with the reason. {@link #header} maps a model's
 * file for the header check; {@link #watch} watches the folders (and those of the aliases' files) with the JDK's
 * {@code WatchService}.
 */
public final class FolderModelSource implements ModelSource {
    private static final System.Logger LOG = System.getLogger(FolderModelSource.class.getName());

    private final List<ModelsFolder> folders;
    /** Configured paths, kept unresolved: an alias to {@code latest.gguf} follows that symlink as it moves. */
    private final Map<ModelId, Path> aliases;
    private final Warnings warnings = new Warnings(LOG);
    private final FileVersions versions = new FileVersions();
    private final Digests digests;
    /** Per id, the paths {@link #isCurrent} checks; as many as ids asked about, which are ids of models found. */
    private final Map<ModelId, List<Path>> candidates = new java.util.concurrent.ConcurrentHashMap<>();

    public FolderModelSource(Path folder) {
        this(List.of(folder), Map.of());
    }

    /**
     * @param folders the models folders, searched in this order; each must exist
     * @param aliases ids mapped to model files inside the folders; a relative path is looked up in the first folder
     *                that holds it
     * @throws IllegalArgumentException naming the folder that does not exist, or the alias whose file is missing or
     *                                  resolves outside the folders
     */
    public FolderModelSource(List<Path> folders, Map<ModelId, Path> aliases) {
        this(folders, aliases, Map.of());
    }

    /**
     * @param digests the SHA-256 each of these ids' files must have (an alias's {@code sha256:}); a load verifies it
     */
    public FolderModelSource(List<Path> folders, Map<ModelId, Path> aliases, Map<ModelId, Sha256> digests) {
        this.digests = new Digests(digests);
        if (folders.isEmpty()) {
            throw new IllegalArgumentException("no models folder given");
        }
        this.folders = folders.stream().map(ModelsFolder::of).toList();
        requireUnixAttributes(this.folders.getFirst());
        // Sorted, so that of several bad aliases the same one is reported on every start.
        Map<ModelId, Path> checked = new TreeMap<>();
        new TreeMap<>(aliases).forEach((id, path) -> checked.put(id, checkAlias(id, path)));
        this.aliases = Map.copyOf(checked);
    }

    @Override
    public List<ModelDescriptor> list() {
        return Lookup.models(lookAll().values());
    }

    @Override
    public List<UnservableModel> unservable() {
        return Lookup.unservable(lookAll().values());
    }

    @Override
    public Optional<UnservableModel> unservable(ModelId id) {
        return look(id) instanceof Lookup.Broken(UnservableModel u) ? Optional.of(u) : Optional.empty();
    }

    /** What each id of the folders and aliases leads to, sorted by id; absent ones left out. */
    private Map<ModelId, Lookup> lookAll() {
        Map<ModelId, Lookup> found = new TreeMap<>();
        for (ModelsFolder folder : folders) {
            for (Path file : ggufFiles(folder)) {
                idOf(file).filter(id -> !found.containsKey(id))
                        .map(id -> describeQuietly(id, file, List.of(folder)))
                        .filter(l -> !(l instanceof Lookup.Absent))
                        .ifPresent(l -> found.put(l.id(), l));
            }
        }
        // An alias shadows a file of its id even while the alias's own file is missing, as find() does.
        aliases.forEach((id, path) -> {
            found.remove(id);
            Lookup l = describeQuietly(id, path, folders);
            if (!(l instanceof Lookup.Absent)) {
                found.put(id, l);
            }
        });
        return found;
    }


    /**
     * @throws UncheckedIOException naming the file when it exists but cannot be examined (permissions, a symlink loop)
     */
    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        return look(id) instanceof Lookup.Found(ModelDescriptor m) ? Optional.of(m) : Optional.empty();
    }

    private Lookup look(ModelId id) {
        try {
            Path alias = aliases.get(id);
            if (alias != null) {
                return describe(id, alias, folders);
            }
            for (ModelsFolder folder : folders) {
                Lookup model = describe(id, folder.fileOf(id), List.of(folder));
                if (!(model instanceof Lookup.Absent)) {
                    return model;
                }
            }
            return new Lookup.Absent(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot examine model '" + id + "': " + e.getMessage(), e);
        }
    }

    /**
     * Maps the model's file for its header check, once its real path is one this source serves.
     *
     * @throws StoreException for a path outside the folders (a descriptor this source did not make)
     */
    @Override
    public HeaderBytes header(ModelDescriptor model) {
        if (folders.stream().noneMatch(f -> f.holds(model.path()))) {
            throw new StoreException("not reading " + model.path() + ": it is outside the models folders "
                    + folders.stream().map(ModelsFolder::real).toList());
        }
        return MappedHeader.open(model);
    }

    /** Watches every models folder and the folders of the aliases' files, for models and their sidecars. */
    @Override
    public Watch watch(Runnable changed) {
        return FolderWatch.start(folders.stream().map(ModelsFolder::real).toList(), aliases.values(), changed);
    }

    /**
     * One {@code stat} of the path the model's id leads to (its alias, else its file in the first folder that has
     * one; a missing file in an earlier folder costs a failed {@code stat} more): the same file, by inode, size and
     * mtime, is the version resident. A file that cannot be examined is looked up the slow way.
     */
    @Override
    public boolean isCurrent(ModelDescriptor model) {
        List<Path> paths = candidates.get(model.id());
        if (paths == null) {
            paths = candidates.computeIfAbsent(model.id(), this::candidates);
        }
        for (int i = 0; i < paths.size(); i++) { // indexed: no iterator on the hit path
            FileStatus.Match match = versions.compare(paths.get(i), model.fingerprint());
            if (match != FileStatus.Match.MISSING) {
                return match == FileStatus.Match.SAME || (match == FileStatus.Match.UNREADABLE && ModelSource.super.isCurrent(model));
            }
        }
        return false;
    }

    /** Where {@link #find} looks for a model, in its order: made once per id, so that a check allocates nothing. */
    private List<Path> candidates(ModelId id) {
        Path alias = aliases.get(id);
        return alias != null ? List.of(alias) : folders.stream().map(f -> f.fileOf(id)).toList();
    }

    /**
     * The model at {@code candidate} when its real path lies inside one of {@code allowed} (a folder's file: its own
     * folder; an alias: any) and is a regular file. A missing file, a dangling symlink or a file renamed away
     * meanwhile is just absent.
     */
    private Lookup describe(ModelId id, Path candidate, List<ModelsFolder> allowed) throws IOException {
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new Lookup.Absent(id);
        }
        if (allowed.stream().noneMatch(f -> f.holds(real))) {
            warnings.once("not serving model '" + id + "': " + candidate + " resolves to " + real + ", outside "
                    + allowed.stream().map(ModelsFolder::real).toList());
            return new Lookup.Absent(id);
        }
        Optional<Fingerprint> fingerprint;
        try {
            fingerprint = UnixFiles.fingerprint(real);
        } catch (NoSuchFileException e) {
            return new Lookup.Absent(id);
        }
        if (fingerprint.isEmpty()) {
            return new Lookup.Absent(id);
        }
        ModelDescriptor model = new ModelDescriptor(id, real, fingerprint.get());
        return switch (digests.of(id, real)) {
            case Digests.Known.Digest(Sha256 sha256) -> new Lookup.Found(model.withDigest(Optional.of(sha256)));
            case Digests.Known.None() -> new Lookup.Found(model);
            case Digests.Known.Broken(Path sidecar, String problem) ->
                    new Lookup.Broken(new UnservableModel(id, sidecar.toString(), problem + "; remove it, or fix it to verify " + real));
        };
    }

    /** For list(): one unreadable file must not hide every other model, so it is skipped with a warning. */
    private Lookup describeQuietly(ModelId id, Path candidate, List<ModelsFolder> allowed) {
        try {
            return describe(id, candidate, allowed);
        } catch (IOException e) {
            warnings.once("skipping model '" + id + "': cannot examine " + candidate + ": " + e);
            return new Lookup.Absent(id);
        }
    }

    private List<Path> ggufFiles(ModelsFolder folder) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder.real(), "*" + ModelsFolder.EXTENSION)) {
            entries.forEach(files::add);
        } catch (IOException e) {
            // An unmounted or removed folder must not hide the models of the others.
            warnings.once("cannot list models folder " + folder.real() + ": " + e);
        }
        return files;
    }

    private Optional<ModelId> idOf(Path file) {
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.length() - ModelsFolder.EXTENSION.length());
        try {
            return Optional.of(ModelId.of(stem));
        } catch (IllegalArgumentException e) {
            warnings.once("skipping " + file + ": its name is not a model id (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    private Path checkAlias(ModelId id, Path configured) {
        Path path = configured.isAbsolute() ? configured : inFolders(configured);
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("alias '" + id + "' points to " + configured + ", which does not exist: " + e, e);
        }
        if (folders.stream().noneMatch(f -> f.holds(real))) {
            throw new IllegalArgumentException("alias '" + id + "' points to " + configured + " (real path " + real
                    + "), outside the models folders " + folders.stream().map(ModelsFolder::real).toList());
        }
        if (!Files.isRegularFile(real)) {
            throw new IllegalArgumentException("alias '" + id + "' points to " + configured + ", which is not a regular file");
        }
        return path;
    }

    private Path inFolders(Path relative) {
        return folders.stream().map(f -> f.real().resolve(relative)).filter(Files::exists).findFirst()
                .orElse(folders.getFirst().real().resolve(relative));
    }

    @Override
    public String toString() {
        return "models folders " + folders.stream().map(ModelsFolder::real).toList();
    }

    private static void requireUnixAttributes(ModelsFolder folder) {
        if (!folder.real().getFileSystem().supportedFileAttributeViews().contains("unix")) {
            throw new IllegalArgumentException("models folder " + folder.real()
                    + " is on a file system without inode numbers (no 'unix' attribute view); a fingerprint needs one");
        }
    }
}
