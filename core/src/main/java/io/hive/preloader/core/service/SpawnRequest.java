package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ReadinessProbe;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A worker to start on a model: its command line, in which every {@value SpawnFlow#MODEL} stands for the path the
 * worker reads the model from, the probe that says it is ready, how long to wait for that, and where its output goes.
 *
 * @param output told of each line the worker prints, from the thread that reads them; it must not block
 */
public record SpawnRequest(ModelId model, List<String> command, ReadinessProbe probe, Duration timeout, Consumer<String> output) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    private static final Consumer<String> DISCARD = line -> { };

    public SpawnRequest {
        Objects.requireNonNull(model, "model");
        command = List.copyOf(command);
        if (command.isEmpty() || command.getFirst().isBlank()) {
            throw new IllegalArgumentException("spawn needs a command to run");
        }
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(output, "output");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the readiness timeout must be positive, got " + timeout);
        }
    }

    /** A request with the default timeout ({@link #DEFAULT_TIMEOUT}), its worker's output discarded (but its last lines kept). */
    public SpawnRequest(ModelId model, List<String> command, ReadinessProbe probe) {
        this(model, command, probe, DEFAULT_TIMEOUT, DISCARD);
    }

    public SpawnRequest withTimeout(Duration newTimeout) {
        return new SpawnRequest(model, command, probe, newTimeout, output);
    }

    public SpawnRequest withOutput(Consumer<String> newOutput) {
        return new SpawnRequest(model, command, probe, timeout, newOutput);
    }
}
