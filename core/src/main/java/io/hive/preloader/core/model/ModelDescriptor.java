package io.hive.preloader.core.model;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A model the source knows: its id, where its bytes are, the fingerprint of that file when it was looked up, and the
 * SHA-256 its bytes must have when the source knows one (a load then verifies it).
 */
public record ModelDescriptor(ModelId id, Path path, Fingerprint fingerprint, Optional<Sha256> digest) {
    public ModelDescriptor {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(digest, "digest");
    }

    /** A model whose digest no one knows. */
    public ModelDescriptor(ModelId id, Path path, Fingerprint fingerprint) {
        this(id, path, fingerprint, Optional.empty());
    }

    public ModelDescriptor withDigest(Optional<Sha256> digest) {
        return new ModelDescriptor(id, path, fingerprint, digest);
    }

    public long size() {
        return fingerprint.size();
    }

    /** The same file version at the same path (the digest aside). */
    public boolean sameVersion(ModelDescriptor other) {
        return fingerprint.equals(other.fingerprint) && path.equals(other.path);
    }
}
