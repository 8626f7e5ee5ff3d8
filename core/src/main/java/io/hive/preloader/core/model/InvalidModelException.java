package io.hive.preloader.core.model;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A model that cannot be served as it is: its file is not a whole, valid GGUF file, its bytes do not have the digest
 * they should, or its source knows it but cannot reach its bytes (a manifest naming a missing blob). The message is
 * one line, {@code FILE: PROBLEM (at byte N)}, as {@code preloader inspect} words it. Nothing resident is touched by a
 * model refused so.
 */
public final class InvalidModelException extends RuntimeException {
    private final ModelId id;
    private final String file;
    private final String problem;
    private final OptionalLong offset;

    /**
     * @param file    the file (or manifest) at fault, as the user knows it
     * @param problem what is wrong, one line
     * @param offset  the byte it was found at, where there is one
     */
    public InvalidModelException(ModelId id, String file, String problem, OptionalLong offset) {
        super(file + ": " + problem + (offset.isPresent() ? " (at byte " + offset.getAsLong() + ")" : ""));
        this.id = Objects.requireNonNull(id, "id");
        this.file = Objects.requireNonNull(file, "file");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.offset = Objects.requireNonNull(offset, "offset");
    }

    public ModelId id() {
        return id;
    }

    public String file() {
        return file;
    }

    public String problem() {
        return problem;
    }

    public OptionalLong offset() {
        return offset;
    }

    /** The same refusal with the file named as the user wrote it (a path typed on the command line). */
    public String messageFor(String shownFile) {
        return shownFile + getMessage().substring(file.length());
    }
}
