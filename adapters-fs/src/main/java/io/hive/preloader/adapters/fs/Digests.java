package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SHA-256 a model file's bytes must have, where one is known: configured for its id ({@code sha256:} of an alias),
 * else in a sidecar beside the file as {@code sha256sum} writes it ({@code MODEL.gguf.sha256}), else in the file's
 * name when it is named like an Ollama blob ({@code sha256-<hex>}). A sidecar is read again only when it changes
 * (its fingerprint is kept), so a listing costs one {@code stat} per model for it.
 */
final class Digests {
    static final String SIDECAR = ".sha256";
    /** Far more than a sidecar of a few lines takes: a bigger file is not one. */
    private static final long MAX_SIDECAR = 64 << 10;

    /** What is known of a file's digest: a digest, none, or a sidecar that cannot be used and why. */
    sealed interface Known {
        record Digest(Sha256 sha256) implements Known {
        }

        record None() implements Known {
        }

        record Broken(Path sidecar, String problem) implements Known {
        }
    }

    private record Sidecar(Fingerprint fingerprint, Known known) {
    }

    private final Map<ModelId, Sha256> configured;
    private final Map<Path, Sidecar> sidecars = new ConcurrentHashMap<>();

    Digests(Map<ModelId, Sha256> configured) {
        this.configured = Map.copyOf(configured);
    }

    /** What is known of the digest of model {@code id}, whose file's real path is {@code file}. */
    Known of(ModelId id, Path file) {
        Sha256 digest = configured.get(id);
        if (digest != null) {
            return new Known.Digest(digest);
        }
        Path sidecar = file.resolveSibling(file.getFileName() + SIDECAR);
        Known fromSidecar = sidecar(sidecar, file.getFileName().toString());
        if (!(fromSidecar instanceof Known.None)) {
            return fromSidecar;
        }
        return Sha256.ofBlobName(file.getFileName().toString()).<Known>map(Known.Digest::new).orElse(fromSidecar);
    }

    private Known sidecar(Path sidecar, String modelName) {
        Optional<Fingerprint> now;
        try {
            now = UnixFiles.fingerprint(sidecar);
        } catch (NoSuchFileException e) {
            sidecars.remove(sidecar);
            return new Known.None();
        } catch (IOException e) {
            return new Known.Broken(sidecar, "cannot be read: " + e);
        }
        if (now.isEmpty()) {
            return new Known.Broken(sidecar, "is not a regular file");
        }
        Sidecar seen = sidecars.get(sidecar);
        if (seen != null && seen.fingerprint().equals(now.get())) {
            return seen.known();
        }
        Known known = read(sidecar, now.get(), modelName);
        sidecars.put(sidecar, new Sidecar(now.get(), known));
        return known;
    }

    private static Known read(Path sidecar, Fingerprint fingerprint, String modelName) {
        if (fingerprint.size() > MAX_SIDECAR) {
            return new Known.Broken(sidecar, "is " + fingerprint.size() + " bytes, not a sha256sum line");
        }
        try {
            return new Known.Digest(Sha256.ofChecksumFile(Files.readString(sidecar, StandardCharsets.UTF_8), modelName));
        } catch (IOException e) {
            return new Known.Broken(sidecar, "cannot be read: " + e);
        } catch (IllegalArgumentException e) {
            return new Known.Broken(sidecar, "is not a SHA-256 for " + modelName + " as sha256sum writes it: " + e.getMessage());
        }
    }
}
