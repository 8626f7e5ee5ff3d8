package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.port.ModelSource;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
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

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

/**
 * Watches models folders with the JDK's {@link WatchService} (inotify on Linux) and says that something changed when
 * a file that may be a model or its digest is created, written, renamed or removed: a rename over a model arrives as
 * its creation, a copy over it as writes. One thread per watch waits for events; several events of one wake-up make
 * one call. A folder that cannot be watched is logged and left to the preloader's periodic re-stat.
 */
final class FolderWatch implements ModelSource.Watch {
    private static final System.Logger LOG = System.getLogger(FolderWatch.class.getName());

    private final WatchService service;
    private final Thread thread;

    private FolderWatch(WatchService service, Predicate<Path> relevant, Runnable changed) {
        this.service = service;
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
        return start(watched, name -> {
            String n = name.toString();
            String file = n.endsWith(Digests.SIDECAR) ? n.substring(0, n.length() - Digests.SIDECAR.length()) : n;
            return file.endsWith(ModelsFolder.EXTENSION) || names.contains(file);
        }, changed);
    }

    /** @param relevant which file names in the folders matter */
    private static ModelSource.Watch start(Collection<Path> folders, Predicate<Path> relevant, Runnable changed) {
        WatchService service;
        try {
            service = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.WARNING, "models folders are not watched (" + e + "); replaced models are found by the periodic re-stat");
            return ModelSource.Watch.NONE;
        }
        for (Path folder : folders) {
            try {
                folder.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "models folder " + folder + " is not watched (" + e
                        + "); replaced models there are found by the periodic re-stat");
            }
        }
        FolderWatch watch = new FolderWatch(service, relevant, changed);
        watch.thread.start();
        return watch;
    }

    private void run(Predicate<Path> relevant, Runnable changed) {
        try {
            while (true) {
                WatchKey key = service.take();
                boolean matters = false;
                for (WatchEvent<?> event : key.pollEvents()) {
                    matters |= event.kind() == OVERFLOW || event.context() instanceof Path name && relevant.test(name);
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
