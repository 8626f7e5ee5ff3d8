package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory catalog whose models can be added and "replaced on disk" (a new fingerprint). */
public final class FakeSource implements ModelSource {
    private final Map<ModelId, ModelDescriptor> models = new ConcurrentSkipListMap<>();
    private final AtomicLong inodes = new AtomicLong(1000);

    public ModelId add(String id, long size) {
        ModelId modelId = ModelId.of(id);
        models.put(modelId, new ModelDescriptor(modelId, Path.of("/models", id + ".gguf"), new Fingerprint(size, 1, inodes.incrementAndGet())));
        return modelId;
    }

    /** As if a new version of the file were renamed over the old one. */
    public void replace(ModelId id, long newSize) {
        ModelDescriptor old = models.get(id);
        models.put(id, new ModelDescriptor(id, old.path(), new Fingerprint(newSize, old.fingerprint().modifiedNanos() + 1, inodes.incrementAndGet())));
    }

    public void remove(ModelId id) {
        models.remove(id);
    }

    public ModelDescriptor describe(ModelId id) {
        return models.get(id);
    }

    @Override
    public List<ModelDescriptor> list() {
        return List.copyOf(models.values());
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        return Optional.ofNullable(models.get(id));
    }
}
