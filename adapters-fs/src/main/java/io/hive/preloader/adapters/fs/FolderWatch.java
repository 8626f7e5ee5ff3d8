package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.port.ModelSource;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

/**
 * Watches models folders with the JDK's {@link WatchService} (inotify on Linux) and says that something changed when
 * a file that may be a model or its digest is created, written, renamed or removed: a rename over a model arrives as
 * its creation, a copy over it as writes. One thread per watch waits for events; several events of one wake-up make
 * one call. A folder that cannot be watched is logged and left to the preloader's periodic re-stat.
 *
 * <p>A store (Ollama's, the hub cache) is watched as a tree ({@link #tree}): inotify watches one directory, not what is
 * below it, so every directory under the root is registered, and each one created later as it comes.
 */
final class FolderWatch implements ModelSource.Watch {
    private static final System.Logger LOG = System.getLogger(FolderWatch.class.getName());

    private final WatchService service;
    private final boolean tree;
    private final Thread thread;

    private FolderWatch(WatchService service, boolean tree, Predicate<Path> relevant, Runnable changed) {
        this.service = service;
        this.tree = tree;
        this.thread = Thread.ofPlatform().daemon().name("models-folder-watch").unstarted(() -> run(relevant, changed));
    }

    /**
     * Watches the models folders for {@code *.gguf} files and their sidecars, and the folders of the aliases' files
     * (as configured and, where it exists, as resolved) for those files and theirs.
     */
    static ModelSource.Watch start(List<Path> folders, Collection<Path> aliases, Runnable changed) {
        Set<Path> watched = new LinkedHashSet<>(folders);
        Set<String> names = new HashSet<>();
        for (Path alias : aliases) {
            Path absolute = alias.toAbsolutePath();
            watched.add(absolute.getParent());
            names.add(absolute.getFileName().toString());
            try {
                Path real = absolute.toRealPath();
                watched.add(real.getParent());
                names.add(real.getFileName().toString());
            } catch (IOException e) {
                // missing for now: its folder is watched, and its name
            }
        }
        return start(watched, false, name -> {
            String n = name.toString();
            String file = n.endsWith(Digests.SIDECAR) ? n.substring(0, n.length() - Digests.SIDECAR.length()) : n;
            return file.endsWith(ModelsFolder.EXTENSION) || names.contains(file);
        }, changed);
    }

    /**
     * Watches {@code root} and every directory below it, those made later included (not following symlinks).
     *
     * @param relevant which names matter (a download's partial files do not)
     */
    static ModelSource.Watch tree(Path root, Predicate<Path> relevant, Runnable changed) {
        return start(List.of(root), true, relevant, changed);
    }

    /** @param relevant which file names in the folders matter */
    private static ModelSource.Watch start(Collection<Path> folders, boolean tree, Predicate<Path> relevant, Runnable changed) {
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "models folders are not watched (" + e + "); replaced models are found by the periodic re-stat");
            return ModelSource.Watch.NONE;
        }
        FolderWatch watch = new FolderWatch(service, tree, relevant, changed);
        folders.forEach(watch::register);
        watch.thread.start();
        return watch;
    }

    /** Registers the folder, and in a tree every directory below it. */
    private void register(Path folder) {
        try {
            if (!tree) {
                folder.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                return;
            }
            try (Stream<Path> below = Files.walk(folder)) {
                for (Path dir : (Iterable<Path>) below.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))::iterator) {
                    dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "models folder " + folder + " is not watched (" + e
                    + "); replaced models there are found by the periodic re-stat");
        }
    }

    private void run(Predicate<Path> relevant, Runnable changed) {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean matters = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    matters |= event.kind() == OVERFLOW || event.context() instanceof Path name && relevant.test(name);
                    if (tree && event.kind() == ENTRY_CREATE && event.context() instanceof Path name && key.watchable() instanceof Path dir
                            && Files.isDirectory(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                        register(dir.resolve(name)); // what was written in it before this is a change too
                        matters = true;
                    }
                }
                key.reset();
                if (matters) {
                    try {
                        changed.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a change of the models folders was not followed: " + e.getMessage(), e);
                    }
                }
            }
        } catch (ClosedWatchServiceException | InterruptedException e) {
            // closed: the watch is over
        }
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the models folder watch: " + e.getMessage());
        }
        // The thread's take() ends with the service; it is not interrupted, since the change it may be telling must not be cut.
    }
}
