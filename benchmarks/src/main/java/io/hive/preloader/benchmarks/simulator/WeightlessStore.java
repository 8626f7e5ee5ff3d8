package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;

import java.lang.foreign.MemorySegment;

/**
 * A store that holds nothing: each "load" reports the model's whole size resident at once and hands out an empty
 * segment. The cache budgets by the model's size, so it admits and evicts exactly as it would with real bytes, and a
 * trace of terabytes replays in seconds. Only for replaying traces: a lease on it has no bytes to read.
 */
final class WeightlessStore implements RamStore {

    @Override
    public String name() {
        return "weightless";
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        progress.advanced(model.size(), model.size());
        return new ResidentRegion() {
            @Override
            public MemorySegment bytes() {
                return MemorySegment.NULL;
            }

            @Override
            public long residentBytes() {
                return model.size();
            }

            @Override
            public void release(Release how) {
            }
        };
    }
}
