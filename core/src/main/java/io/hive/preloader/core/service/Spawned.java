package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.RunningWorker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A worker that {@link SpawnFlow} started and found ready.
 *
 * @param route     which path the model took to the worker
 * @param handoff   how the worker reached the resident bytes; empty on {@link Route#UNCACHED}
 * @param modelPath the path put in place of {@value SpawnFlow#MODEL} in the command line
 * @param command   the command line as started
 * @param load      how long getting the model took: next to nothing on the fast path, its load from disk on the slow one
 * @param toReady   from the start of the worker's process until its probe fired
 */
public record Spawned(ModelId model, Route route, Optional<Handoff> handoff, Path modelPath, List<String> command,
                      RunningWorker worker, Duration load, Duration toReady) {

    public Spawned {
        command = List.copyOf(command);
    }

    /** Which path a model took to a worker. */
    public enum Route {
        /** The fast path: the model was resident, the worker started from RAM. */
        RESIDENT,
        /** The slow path: the preloader loaded the model from disk first, then the worker started from RAM. */
        LOADED,
        /** The model did not fit the budget (what is held is pinned or leased): the worker read the file from disk itself. */
        UNCACHED
    }

    /** From the request until the worker was ready: {@link #load} then {@link #toReady}. */
    public Duration total() {
        return load.plus(toReady);
    }
}
