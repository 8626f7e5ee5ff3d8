package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.model.UnservableModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Follows a store's pointer to a model's bytes (a blob's path, a snapshot's symlink) to the blob, and serves it only
 * where its real path stays inside the store's blobs folder: a link that leaves it is refused, not followed. The
 * descriptor carries the real path and the blob's own fingerprint, so a link swapped afterwards cannot redirect a read.
 */
final class BlobLink {
    private BlobLink() {
    }

    /**
     * @param link    where the index points (the blob's path, or a symlink to it)
     * @param blobs   the folder every blob of this model must really lie in
     * @param namedBy the index file that names the model, for the reason of a missing blob
     * @param digest  the SHA-256 the store gives the blob, verified by the load
     */
    static Lookup resolve(ModelId id, Path link, Path blobs, Path namedBy, Optional<Sha256> digest) {
        Path real;
        try {
            real = link.toRealPath();
        } catch (NoSuchFileException e) {
            return missing(id, link, namedBy);
        } catch (IOException e) {
            return broken(id, link, "cannot be followed: " + e);
        }
        if (!real.startsWith(blobs) || real.equals(blobs)) {
            return broken(id, link, "resolves to " + real + ", outside " + blobs + "; a link that leaves the store is not followed");
        }
        Optional<Fingerprint> fingerprint;
        try {
            fingerprint = UnixFiles.fingerprint(real);
        } catch (NoSuchFileException e) {
            return missing(id, link, namedBy);
        } catch (IOException e) {
            return broken(id, link, "cannot be examined: " + e);
        }
        if (fingerprint.isEmpty()) {
            return broken(id, link, "is not a regular file");
        }
        return new Lookup.Found(new ModelDescriptor(id, real, fingerprint.get(), digest));
    }

    /** A manifest naming a blob not there, or a snapshot's link whose blob is not there (both: a download unfinished or pruned). */
    private static Lookup missing(ModelId id, Path link, Path namedBy) {
        if (!link.equals(namedBy)) {
            return broken(id, namedBy, "names the blob " + link + ", which is missing");
        }
        String target;
        try {
            target = String.valueOf(Files.readSymbolicLink(link));
        } catch (IOException | UnsupportedOperationException e) {
            target = "a file";
        }
        return broken(id, link, "links to " + target + ", which is missing");
    }

    static Lookup broken(ModelId id, Path file, String problem) {
        return new Lookup.Broken(new UnservableModel(id, file.toString(), problem));
    }
}
