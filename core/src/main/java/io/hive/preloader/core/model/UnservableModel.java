package io.hive.preloader.core.model;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A model its source knows but cannot serve, and why: a manifest naming a blob that is missing, a digest file that
 * cannot be read. Listed as invalid with the reason; asked for, it is refused with it.
 *
 * @param file    the file at fault (the manifest, the sidecar), as the operator knows it
 * @param problem what is wrong, one line
 */
public record UnservableModel(ModelId id, String file, String problem) {
    public UnservableModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(problem, "problem");
    }

    public InvalidModelException refusal() {
        return new InvalidModelException(id, file, problem, OptionalLong.empty());
    }
}
