package io.hive.preloader.core.port;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A worker process to start: its command line (the model's path already in it), variables added to its environment,
 * the probe that says when it is ready, how long to wait for that, and where its output lines go as they come.
 *
 * @param output told of each line the worker prints (stdout and stderr, in the order they come), from the thread
 *               that reads them, also after the worker is ready; it must not block
 */
public record WorkerRequest(List<String> command, Map<String, String> environment, ReadinessProbe probe, Duration timeout,
                            Consumer<String> output) {
    public WorkerRequest {
        command = List.copyOf(command);
        if (command.isEmpty() || command.getFirst().isBlank()) {
            throw new IllegalArgumentException("a worker needs a command to run");
        }
        environment = Map.copyOf(environment);
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(output, "output");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the readiness timeout must be positive, got " + timeout);
        }
    }
}
