package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A worker did not become ready: it exited first, was not ready in time (and was stopped), or could not be started.
 * Carries its exit status when it exited by itself and the last lines it printed.
 */
public final class WorkerStartException extends RuntimeException {
    private final ModelId model;
    private final OptionalInt exitCode;
    private final List<String> lastLines;
    private final Duration after;

    WorkerStartException(ModelId model, String message, OptionalInt exitCode, List<String> lastLines, Duration after, Throwable cause) {
        super(message, cause);
        this.model = model;
        this.exitCode = exitCode;
        this.lastLines = List.copyOf(lastLines);
        this.after = after;
    }

    public ModelId model() {
        return model;
    }

    /** The worker's exit status when it exited before it was ready; empty when it timed out or never started. */
    public OptionalInt exitCode() {
        return exitCode;
    }

    /** The last lines the worker printed, oldest first. */
    public List<String> lastLines() {
        return lastLines;
    }

    /** From the start of the worker until it was given up on. */
    public Duration after() {
        return after;
    }
}
