package io.hive.preloader.app.cli;

/**
 * A command that cannot go on: the message is the one line the user sees after {@code error: }, naming the input
 * and the problem; the exit code says whose fault it was.
 */
final class Failure extends RuntimeException {
    /** The input was wrong: a missing file, an unknown model, a bad option. */
    static final int BAD_INPUT = 2;
    /** The input was fine but the work failed: a load, a mapping, a disk. */
    static final int RUNTIME = 1;

    private final int exitCode;

    private Failure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static Failure badInput(String message) {
        return new Failure(BAD_INPUT, message, null);
    }

    static Failure badInput(String message, Throwable cause) {
        return new Failure(BAD_INPUT, message, cause);
    }

    static Failure runtime(String message, Throwable cause) {
        return new Failure(RUNTIME, message, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
