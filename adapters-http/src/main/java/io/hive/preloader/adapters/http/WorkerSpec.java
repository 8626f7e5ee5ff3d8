package io.hive.preloader.adapters.http;

import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.service.SpawnFlow;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A worker the API may start, named in the server's configuration: {@code POST /v1/models/{id}/spawn} names one of
 * these, never a command, so a request cannot run anything the operator did not configure.
 *
 * @param command the command line; every {@value SpawnFlow#MODEL} in it becomes the path the worker reads the model from
 * @param probe   what says the worker is ready
 * @param timeout how long to wait for that before the worker is stopped
 */
public record WorkerSpec(List<String> command, ReadinessProbe probe, Duration timeout) {
    public WorkerSpec {
        command = List.copyOf(command);
        if (command.isEmpty() || command.getFirst().isBlank()) {
            throw new IllegalArgumentException("a worker needs a command to run");
        }
        Objects.requireNonNull(probe, "probe");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the readiness timeout must be positive, got " + timeout);
        }
    }
}
