package io.hive.preloader.core.model;

import java.util.regex.Pattern;

/**
 * The name a hive uses for a model: the file name without {@code .gguf}, or an alias from config.
 * Validated so that an id can never name a path: no separators, no {@code ..}, bounded length.
 */
public record ModelId(String value) implements Comparable<ModelId> {
    public static final int MAX_LENGTH = 128;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+-]*");

    public ModelId {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("model id is empty");
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("model id '" + value.substring(0, 32) + "…' is longer than " + MAX_LENGTH + " characters");
        }
        if (value.contains("..") || !ALLOWED.matcher(value).matches()) {
            throw new IllegalArgumentException("model id '" + value
                    + "' is not allowed: use letters, digits and . _ : + - (no path separators, no '..')");
        }
    }

    public static ModelId of(String value) {
        return new ModelId(value);
    }

    @Override
    public int compareTo(ModelId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
