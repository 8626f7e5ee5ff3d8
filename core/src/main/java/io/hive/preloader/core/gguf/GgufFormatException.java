package io.hive.preloader.core.gguf;

/** A file that is not a valid GGUF file; says what is wrong and at which byte. */
public final class GgufFormatException extends RuntimeException {
    private final long offset;
    private final String problem;

    public GgufFormatException(long offset, String problem) {
        super("at byte " + offset + ": " + problem);
        this.offset = offset;
        this.problem = problem;
    }

    public long offset() {
        return offset;
    }

    public String problem() {
        return problem;
    }
}
