package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Reads what identifies one version of a file, in a single stat so that size, mtime and inode belong together. */
final class UnixFiles {
    private static final String ATTRIBUTES = Fingerprint.UNIX_ATTRIBUTES + ",isRegularFile";

    private UnixFiles() {
    }

    /**
     * The fingerprint of a regular file, or empty for anything else (a directory named {@code x.gguf}, a device).
     * Links are not followed: the caller passes a real path, and one swapped for a symlink since is not a model.
     */
    static Optional<Fingerprint> fingerprint(Path realPath) throws IOException {
        Map<String, Object> a = Files.readAttributes(realPath, ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) a.get("isRegularFile")) {
            return Optional.empty();
        }
        return Optional.of(Fingerprint.of(a));
    }
}
