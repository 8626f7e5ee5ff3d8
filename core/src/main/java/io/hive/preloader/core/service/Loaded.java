package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelId;

import java.time.Duration;

/** The outcome of a preload: how many bytes are resident, how long it took, and whether it came from disk. */
public record Loaded(ModelId id, long bytes, Duration took, Origin origin) {
}
