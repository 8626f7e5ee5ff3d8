package io.hive.preloader.core.port;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;

/**
 * The file a store opened is not the version the source described: it was replaced or rewritten in between.
 * The preloader looks the model up again and retries; the bytes of the wrong version are never served.
 */
public final class ModelChangedException extends StoreException {
    public ModelChangedException(String message) {
        super(message);
    }

    private static String describe(Fingerprint f) {
        return f.size() + " bytes, mtime " + f.modifiedNanos() + " ns, inode " + f.inode();
    }

    /** Throws unless the file a store opened has the fingerprint the model was described with. */
    public static void requireSame(ModelDescriptor expected, Fingerprint opened) {
        if (!expected.fingerprint().equals(opened)) {
            throw new ModelChangedException(expected.path() + " changed since it was looked up: it is now " + describe(opened)
                    + ", not " + describe(expected.fingerprint()));
        }
    }
}
