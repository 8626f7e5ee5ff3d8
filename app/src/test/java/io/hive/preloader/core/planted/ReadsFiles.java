package io.hive.preloader.core.planted;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A planted violation: core reading a file. */
public class ReadsFiles {
    public byte[] read(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
