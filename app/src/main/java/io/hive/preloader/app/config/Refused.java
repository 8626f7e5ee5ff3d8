package io.hive.preloader.app.config;

/**
 * A value a config record or reader refuses. {@link ConfigLoader} words it: the key's path in the file, then the
 * problem, or, without one, the value as written and what the key {@link Allowed allows}.
 */
final class Refused extends IllegalArgumentException {
    /** The key below the record that refused it; empty when the refusal is the record's own or a reader's. */
    final String key;
    /** What is wrong, or null for the standard words: {@code 'VALUE' is not ALLOWED}. */
    final String problem;

    Refused(String key, String problem) {
        this(key, problem, problem);
    }

    private Refused(String key, String problem, String shown) {
        super(key.isEmpty() ? shown : key + ": " + shown);
        this.key = key;
        this.problem = problem;
    }

    static void unless(boolean ok, String key, Object value) {
        if (!ok) {
            throw new Refused(key, null, "'" + value + "' is not allowed");
        }
    }
}
