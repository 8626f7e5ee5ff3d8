package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;

import java.util.Objects;
import java.util.Optional;

/**
 * One model the sources know, checked: its file (absent for a model its source cannot reach) and, when it cannot be
 * served, the one-line error that says why, as a load of it would be refused.
 */
public record CatalogEntry(ModelId id, Optional<ModelDescriptor> model, Optional<String> error) {
    public CatalogEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(error, "error");
        if (model.isEmpty() && error.isEmpty()) {
            throw new IllegalArgumentException(id + ": an entry without a file must say why");
        }
    }

    static CatalogEntry valid(ModelDescriptor model) {
        return new CatalogEntry(model.id(), Optional.of(model), Optional.empty());
    }

    static CatalogEntry invalid(ModelDescriptor model, String error) {
        return new CatalogEntry(model.id(), Optional.of(model), Optional.of(error));
    }

    static CatalogEntry of(UnservableModel model) {
        return new CatalogEntry(model.id(), Optional.empty(), Optional.of(model.refusal().getMessage()));
    }

    public boolean valid() {
        return error.isEmpty();
    }
}
