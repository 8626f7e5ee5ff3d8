package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelId;

import java.nio.file.Path;

/**
 * One model of a store's index: what it leads to (a blob, or why it cannot be served), and the index file that named it
 * (a manifest, a {@code refs/main}) with the version read, so that one {@code stat} of it tells whether it still does.
 *
 * @param index        the file whose contents pointed at the blob
 * @param indexVersion that file's fingerprint, taken before it was read: a later write changes it
 */
record StoreEntry(Lookup lookup, Path index, Fingerprint indexVersion) {
    /** The version of an index file that could not be read: no file has it, so it is never taken as unchanged. */
    static final Fingerprint UNREAD = new Fingerprint(0, Long.MIN_VALUE, -1);

    ModelId id() {
        return lookup.id();
    }
}
