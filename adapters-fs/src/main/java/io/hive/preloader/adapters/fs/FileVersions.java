package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.linux.FileStatus;
import io.hive.preloader.linux.FileStatus.Match;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the file at a path is still the version a fingerprint describes, by one {@code stat} that follows
 * symlinks (as a look-up by path does): through {@code statx} ({@link FileStatus}) without allocating where libc has
 * it, else through the JDK. The C strings of the paths asked about are kept, a few per model. A path whose file
 * system answers {@code statx} without inode, size or mtime (NFS, FUSE) is remembered and asked by a plain
 * {@code stat} from then on: one call per hit, never a look-up of the model.
 */
final class FileVersions {
    /** More distinct paths than any models folder holds: past this the kept strings are dropped and made again. */
    private static final int MAX_PATHS = 4096;
    /** Kept in place of a path's C string: its file system's {@code statx} answers short, ask a plain {@code stat}. */
    private static final MemorySegment PLAIN_STAT = MemorySegment.NULL;

    /** One {@code statx} of a path given as a C string ({@link FileStatus#compare}); tests stand in for a file system. */
    @FunctionalInterface
    interface Statx {
        Match compare(MemorySegment cPath, Fingerprint expected);
    }

    private final Statx statxCall;
    private final Map<Path, MemorySegment> cPaths = new ConcurrentHashMap<>();
    /** Cleared once libc answers that it has no {@code statx}. */
    private volatile boolean statx = true;

    FileVersions() {
        this(FileStatus::compare);
    }

    FileVersions(Statx statxCall) {
        this.statxCall = statxCall;
    }

    Match compare(Path path, Fingerprint expected) {
        if (statx) {
            MemorySegment cPath = cPaths.get(path);
            if (cPath == null) {
                if (cPaths.size() >= MAX_PATHS) {
                    cPaths.clear();
                }
                cPath = cPaths.computeIfAbsent(path, p -> FileStatus.path(p.toString()));
            }
            if (cPath == PLAIN_STAT) {
                return compareByJdk(path, expected);
            }
            Match match = statxCall.compare(cPath, expected);
            if (match == Match.INCOMPLETE) {
                cPaths.put(path, PLAIN_STAT);
                return compareByJdk(path, expected);
            }
            if (match != Match.UNSUPPORTED) {
                return match;
            }
            statx = false;
        }
        return compareByJdk(path, expected);
    }

    private static Match compareByJdk(Path path, Fingerprint expected) {
        try {
            return Fingerprint.of(Files.readAttributes(path, Fingerprint.UNIX_ATTRIBUTES)).equals(expected) ? Match.SAME : Match.DIFFERENT;
        } catch (NoSuchFileException e) {
            return Match.MISSING;
        } catch (IOException | UnsupportedOperationException e) {
            return Match.UNREADABLE;
        }
    }
}
