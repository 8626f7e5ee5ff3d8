package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory catalog whose models can be added, "replaced on disk" (a new fingerprint) and corrupted (their first
 * bytes then are not a valid header). A model's header is a valid GGUF header whose one tensor fills its size.
 */
public final class FakeSource implements ModelSource {
    private final Map<ModelId, ModelDescriptor> models = new ConcurrentSkipListMap<>();
    private final Map<ModelId, byte[]> corrupt = new ConcurrentHashMap<>();
    private final Map<ModelId, UnservableModel> unservable = new ConcurrentSkipListMap<>();
    private final AtomicLong inodes = new AtomicLong(1000);
    private final AtomicInteger headerReads = new AtomicInteger();
    /** Ids whose next look-up after their next header read fails once (false: armed; true: the header was read). */
    private final Map<ModelId, Boolean> findFailures = new ConcurrentHashMap<>();

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

    /** From now on the model's file starts with these bytes instead of a valid header. */
    public void corrupt(ModelId id, byte[] start) {
        corrupt.put(id, start.clone());
    }

    /** From now on the model's file has a valid header again. */
    public void heal(ModelId id) {
        corrupt.remove(id);
    }

    /** A model this source knows but cannot serve, for this reason. */
    public ModelId addUnservable(String id, String file, String problem) {
        ModelId modelId = ModelId.of(id);
        unservable.put(modelId, new UnservableModel(modelId, file, problem));
        return modelId;
    }

    /** As if the source knew the SHA-256 the model's bytes must have. */
    public void digest(ModelId id, io.hive.preloader.core.model.Sha256 digest) {
        models.computeIfPresent(id, (k, m) -> m.withDigest(Optional.of(digest)));
    }

    /** How many times a model's header was read. */
    public int headerReads() {
        return headerReads.get();
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

    /** The first look-up of {@code id} after its header is next read fails once, as a stat failing with EIO would. */
    public void failFindAfterHeader(ModelId id) {
        findFailures.put(id, false);
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        if (findFailures.remove(id, true)) {
            throw new java.io.UncheckedIOException("cannot examine model '" + id + "'", new java.io.IOException("Input/output error"));
        }
        return Optional.ofNullable(models.get(id));
    }

    @Override
    public HeaderBytes header(ModelDescriptor model) {
        ModelDescriptor now = models.get(model.id());
        if (now == null || !now.sameVersion(model)) {
            throw new ModelChangedException(model.path() + " changed since it was looked up");
        }
        headerReads.incrementAndGet();
        findFailures.replace(model.id(), false, true);
        byte[] start = corrupt.get(model.id());
        return start == null ? SyntheticHeader.valid(model) : SyntheticHeader.of(start, model.size());
    }

    @Override
    public List<UnservableModel> unservable() {
        return List.copyOf(unservable.values());
    }
}
