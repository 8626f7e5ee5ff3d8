package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelId;

import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;

/**
 * How a model store names its models: an index (Ollama's manifests, the hub cache's {@code refs/main} and snapshots)
 * whose entries point at blobs. {@link StoreModelSource} serves what an index finds.
 */
sealed interface StoreIndex permits OllamaManifests, HubSnapshots {

    /** The store's folder, its real path pinned when the source was made. */
    Path root();

    /** Every model the index names, by id; one that cannot be read is skipped with a warning. */
    SortedMap<ModelId, StoreEntry> scan();

    /** The model this id names, looked up without a scan of the whole store where the id says where it is. */
    Optional<StoreEntry> find(ModelId id);

    /** Whether a file name in the store's tree may change a model (a download's partial files do not). */
    boolean relevant(Path name);

    /** Whether a real path is one of the blobs this store may serve. */
    boolean holds(Path realPath);
}
