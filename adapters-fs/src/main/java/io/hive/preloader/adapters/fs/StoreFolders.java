package io.hive.preloader.adapters.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The checks a store's configured folder passes before it is read, each failure one line naming the key and folder. */
final class StoreFolders {
    private StoreFolders() {
    }

    /** The folder's real path, pinned: every blob served must resolve inside it. */
    static Path real(String key, Path configured) {
        Path real;
        try {
            real = configured.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": " + configured + " does not exist or cannot be read: " + e, e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException(key + ": " + configured + " is not a directory");
        }
        if (!real.getFileSystem().supportedFileAttributeViews().contains("unix")) {
            throw new IllegalArgumentException(key + ": " + configured
                    + " is on a file system without inode numbers (no 'unix' attribute view); a fingerprint needs one");
        }
        return real;
    }

    /** An empty folder is a store with no models yet (the tool has not downloaded any), not a wrong folder. */
    static boolean isEmpty(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + folder + ": " + e, e);
        }
    }
}
