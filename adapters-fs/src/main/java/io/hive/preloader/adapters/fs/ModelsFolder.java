package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A models folder pinned to its real path when the source is made. Every file served from it must resolve inside
 * that path, so a symlink in the folder cannot hand out a file the operator did not put there.
 */
record ModelsFolder(Path real) {
    static final String EXTENSION = ".gguf";

    static ModelsFolder of(Path configured) {
        Path real;
        try {
            real = configured.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("models folder " + configured + " does not exist or cannot be read: " + e, e);
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("models folder " + configured + " is not a directory");
        }
        return new ModelsFolder(real);
    }

    /** Where the model with this id would be; a ModelId holds no separator and no '..', so this stays in the folder. */
    Path fileOf(ModelId id) {
        return real.resolve(id.value() + EXTENSION);
    }

    /** Whether a real (symlink-free) path lies below this folder. Path.startsWith compares whole names: /m2 is not in /m. */
    boolean holds(Path realPath) {
        return realPath.startsWith(real) && !realPath.equals(real);
    }
}
