package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;

import java.lang.foreign.MemorySegment;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models a trace names, as a source: descriptors only, no files; each model's header is a valid one of its size. */
final class TraceSource implements ModelSource {
    private final Map<ModelId, ModelDescriptor> models;

    TraceSource(Map<ModelId, ModelDescriptor> models) {
        this.models = models;
    }

    @Override
    public List<ModelDescriptor> list() {
        return models.values().stream().sorted(Comparator.comparing(ModelDescriptor::id)).toList();
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        return Optional.ofNullable(models.get(id));
    }

    @Override
    public HeaderBytes header(ModelDescriptor model) {
        MemorySegment header = MemorySegment.ofBuffer(GgufWriter.headerFilling(model.size(), "trace"));
        return new HeaderBytes() {
            @Override
            public MemorySegment first(long length) {
                return header;
            }

            @Override
            public void close() {
            }
        };
    }
}
