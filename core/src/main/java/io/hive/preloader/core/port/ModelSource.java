package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.util.List;
import java.util.Optional;

/**
 * Which models exist and where their bytes are. Each call looks again, so the fingerprint it returns is the
 * file's current one: the cache compares it with the resident copy's to detect a file replaced on disk.
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
        return find(model.id()).filter(now -> now.fingerprint().equals(model.fingerprint()) && now.path().equals(model.path()))
                .isPresent();
    }
}
