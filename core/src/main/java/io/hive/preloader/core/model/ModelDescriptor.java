package io.hive.preloader.core.model;

import java.nio.file.Path;
import java.util.Objects;

/** A model the source knows: its id, where its bytes are, and the fingerprint of that file when it was looked up. */
public record ModelDescriptor(ModelId id, Path path, Fingerprint fingerprint) {
    public ModelDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    public long size() {
        return fingerprint.size();
    }
}
