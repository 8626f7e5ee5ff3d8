package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;

/** Real files for tests: random contents of an exact size, their descriptors, and atomic replacement. */
public final class ModelFiles {
    private ModelFiles() {
    }

    public static byte[] randomBytes(long size, long seed) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static Path write(Path dir, String name, byte[] contents) {
        try {
            Path file = dir.resolve(name);
            Files.write(file, contents);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes new contents to a temporary file and renames it over {@code file}: a new inode, as a model upgrade does. */
    public static void replace(Path file, byte[] contents) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, contents);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Fingerprint fingerprint(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            return new Fingerprint(a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), inode);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ModelDescriptor describe(Path file) {
        String name = file.getFileName().toString();
        return new ModelDescriptor(ModelId.of(name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name), file, fingerprint(file));
    }
}
