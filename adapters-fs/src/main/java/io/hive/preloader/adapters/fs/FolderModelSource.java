package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.linux.FileStatus;

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
 */
public final class FolderModelSource implements ModelSource {
    private static final System.Logger LOG = System.getLogger(FolderModelSource.class.getName());

    private final List<ModelsFolder> folders;
    /** Configured paths, kept unresolved: an alias to {@code latest.gguf} follows that symlink as it moves. */
    private final Map<ModelId, Path> aliases;
    private final Warnings warnings = new Warnings(LOG);
    private final FileVersions versions = new FileVersions();
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
        Map<ModelId, ModelDescriptor> found = new TreeMap<>();
        for (ModelsFolder folder : folders) {
            for (Path file : ggufFiles(folder)) {
                idOf(file).filter(id -> !found.containsKey(id))
                        .flatMap(id -> describeQuietly(id, file, List.of(folder)))
                        .ifPresent(model -> found.put(model.id(), model));
            }
        }
        // An alias shadows a file of its id even while the alias's own file is missing, as find() does.
        aliases.forEach((id, path) -> {
            found.remove(id);
            describeQuietly(id, path, folders).ifPresent(model -> found.put(id, model));
        });
        return List.copyOf(found.values());
    }

    /**
     * @throws UncheckedIOException naming the file when it exists but cannot be examined (permissions, a symlink loop)
     */
    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        try {
            Path alias = aliases.get(id);
            if (alias != null) {
                return describe(id, alias, folders);
            }
            for (ModelsFolder folder : folders) {
                Optional<ModelDescriptor> model = describe(id, folder.fileOf(id), List.of(folder));
                if (model.isPresent()) {
                    return model;
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot examine model '" + id + "': " + e.getMessage(), e);
        }
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
    private Optional<ModelDescriptor> describe(ModelId id, Path candidate, List<ModelsFolder> allowed) throws IOException {
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (allowed.stream().noneMatch(f -> f.holds(real))) {
            warnings.once("not serving model '" + id + "': " + candidate + " resolves to " + real + ", outside "
                    + allowed.stream().map(ModelsFolder::real).toList());
            return Optional.empty();
        }
        try {
            Optional<Fingerprint> fingerprint = UnixFiles.fingerprint(real);
            return fingerprint.map(f -> new ModelDescriptor(id, real, f));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** For list(): one unreadable file must not hide every other model, so it is skipped with a warning. */
    private Optional<ModelDescriptor> describeQuietly(ModelId id, Path candidate, List<ModelsFolder> allowed) {
        try {
            return describe(id, candidate, allowed);
        } catch (IOException e) {
            warnings.once("skipping model '" + id + "': cannot examine " + candidate + ": " + e);
            return Optional.empty();
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

    private static void requireUnixAttributes(ModelsFolder folder) {
        if (!folder.real().getFileSystem().supportedFileAttributeViews().contains("unix")) {
            throw new IllegalArgumentException("models folder " + folder.real()
                    + " is on a file system without inode numbers (no 'unix' attribute view); a fingerprint needs one");
        }
    }
}
