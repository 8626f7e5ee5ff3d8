package io.hive.preloader.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real GGUF files the tests read: llama.cpp's vocab files (fetched by the build) and a gguf-py file in resources. */
public final class GgufFixtures {
    private GgufFixtures() {
    }

    /** The folder {@code scripts/fetch-gguf-fixtures.sh} filled; the build passes it as {@code -Dgguf.fixtures}. */
    public static Path folder() {
        String dir = System.getProperty("gguf.fixtures");
        if (dir == null || !Files.isRegularFile(Path.of(dir, ".complete"))) {
            throw new IllegalStateException("GGUF test files are missing (gguf.fixtures=" + dir
                    + "): run scripts/fetch-gguf-fixtures.sh .cache/gguf-fixtures, or build with ./build");
        }
        return Path.of(dir);
    }

    public static Path file(String name) {
        return folder().resolve(name);
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] resource(String name) {
        try (var in = GgufFixtures.class.getResourceAsStream("/gguf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource /gguf/" + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }
}
