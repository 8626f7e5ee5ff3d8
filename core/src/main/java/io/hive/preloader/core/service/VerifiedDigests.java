package io.hive.preloader.core.service;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.Sha256;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file versions whose bytes were hashed during a load and had the digest they should: an unchanged file (same
 * path, size, mtime and inode) is not hashed again. One entry per path, replaced when the file is.
 */
final class VerifiedDigests {
    private record Version(Fingerprint fingerprint, Sha256 digest) {
    }

    private final Map<Path, Version> verified = new ConcurrentHashMap<>();

    boolean contains(ModelDescriptor model, Sha256 digest) {
        return new Version(model.fingerprint(), digest).equals(verified.get(model.path()));
    }

    void add(ModelDescriptor model, Sha256 digest) {
        verified.put(model.path(), new Version(model.fingerprint(), digest));
    }
}
