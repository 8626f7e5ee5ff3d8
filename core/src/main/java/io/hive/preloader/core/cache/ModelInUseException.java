package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;

import java.util.List;
import java.util.stream.Collectors;

/** A model that running workers hold was asked to be evicted: their memory would leave the budget while they run. */
public final class ModelInUseException extends IllegalStateException {
    private final transient List<Long> workers;

    public ModelInUseException(ModelId id, List<Long> workers) {
        super(id + " is in use by " + (workers.size() == 1 ? "worker pid " : "workers pid ")
                + workers.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + "; it stays resident until " + (workers.size() == 1 ? "that worker exits" : "they exit"));
        this.workers = List.copyOf(workers);
    }

    /** The pids of the workers holding the model. */
    public List<Long> workers() {
        return workers;
    }
}
