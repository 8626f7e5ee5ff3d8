package io.hive.preloader.core.testing;

import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Random;

/** Real files for tests: valid models and random contents of an exact size, their descriptors, and atomic replacement. */
public final class ModelFiles {
    private ModelFiles() {
    }

    public static byte[] randomBytes(long size, long seed) {
        byte[] bytes = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /**
     * A whole, valid GGUF model of exactly {@code size} bytes (at least the header's hundred or so): a header whose one
     * tensor of bytes fills the file, then random weights, the same for the same seed.
     */
    public static byte[] model(long size, long seed) {
        return asModel(randomBytes(size, seed));
    }

    /**
     * The bytes made a whole, valid model of their length: a header whose one tensor fills the file written over their
     * first {@link #headerLength} bytes, the rest left as they are (the weights). Returns the same array.
     */
    public static byte[] asModel(byte[] bytes) {
        ByteBuffer header = GgufWriter.headerFilling(bytes.length, "test");
        if (header.remaining() > bytes.length) {
            throw new IllegalArgumentException("a model of " + bytes.length + " bytes is smaller than its header");
        }
        header.get(bytes, 0, header.remaining());
        return bytes;
    }

    /** How many of a model's first bytes {@link #model} and {@link #asModel} give to its header. */
    public static int headerLength(long size) {
        return GgufWriter.headerFilling(size, "test").remaining();
    }

    /** A valid model's first {@code cut} bytes only: its tensor data truncated. */
    public static byte[] truncated(byte[] model, int cut) {
        return java.util.Arrays.copyOf(model, cut);
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
