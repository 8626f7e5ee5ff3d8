package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;

import java.util.List;
import java.util.Optional;

/**
 * Which models exist and where their bytes are. Each call looks again, so the fingerprint it returns is the
 * file's current one: the cache compares it with the resident copy's to detect a file replaced on disk.
 *
 * <p>What a source owes the preloader besides: the first bytes of a model's file ({@link #header}), so that core checks
 * each version's GGUF header before it is admitted, reading no file itself; the digest its bytes must have where the
 * source knows one ({@link ModelDescriptor#digest()}: a sidecar, config, a blob's name), which the load verifies; the
 * models it knows but cannot serve ({@link #unservable()}), which are listed as invalid with the reason; and, where it
 * can, word that something changed ({@link #watch}), which the preloader's periodic re-stat backs up.
 */
public interface ModelSource {

    /** Every model this source can serve, sorted by id. */
    List<ModelDescriptor> list();

    /** The model with this id, or empty when the source has none (never a path outside the source's folders). */
    Optional<ModelDescriptor> find(ModelId id);

    /**
     * Whether {@link #find} would still describe this very file version: the cache asks on every hit, so a source
     * should answer with one {@code stat} of the model's file where it can (this default looks the model up anew).
     */
    default boolean isCurrent(ModelDescriptor model) {
        return find(model.id()).filter(now -> now.sameVersion(model)).isPresent();
    }

    /**
     * Opens the first bytes of the file version {@code model} describes, for its header to be checked.
     *
     * @throws ModelChangedException when the file is no longer that version (replaced or rewritten since it was described)
     * @throws StoreException        naming the file when it cannot be opened
     */
    HeaderBytes header(ModelDescriptor model);

    /**
     * The models this source knows but cannot serve, each with why (a manifest whose blob is missing, a digest file
     * that cannot be read), sorted by id; {@link #find} does not return them.
     */
    default List<UnservableModel> unservable() {
        return List.of();
    }

    /** Why the model of this id cannot be served, when this source knows it and cannot. */
    default Optional<UnservableModel> unservable(ModelId id) {
        return unservable().stream().filter(u -> u.id().equals(id)).findFirst();
    }

    /** Stops a {@link #watch}; a second close does nothing (a preloader closing while it starts may close it twice). */
    @FunctionalInterface
    interface Watch extends AutoCloseable {
        Watch NONE = () -> { };

        @Override
        void close();
    }

    /**
     * Calls {@code changed}, soon and on a thread of the source's, after a model may have been added, replaced or
     * removed; a hint, not a promise (several changes may come as one call, and the preloader re-stats its models
     * periodically anyway). This default watches nothing.
     */
    default Watch watch(Runnable changed) {
        return Watch.NONE;
    }
}
