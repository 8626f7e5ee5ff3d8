package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.FileStatus;
import io.hive.preloader.linux.MappedHeader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models of a store that other tools keep: Ollama's models folder ({@link #ollama}) or the Hugging Face hub cache
 * ({@link #huggingFace}), read in place. The store's index names each model (see each factory for the ids); its bytes
 * are a blob, served at its real path, whose digest the load verifies. A model the index names but whose blob is
 * missing, or whose link leaves the store's blobs folder, is listed as unservable with the reason.
 *
 * <p>Every call looks at the store again. A hit's check ({@link #isCurrent}) is two {@code stat}s: the index file that
 * named the model (a manifest, a {@code refs/main}) and the blob; only when the index changed is the model looked up
 * anew, so a tag moved to another blob, or a new revision, stops the old bytes being served.
 */
public final class StoreModelSource implements ModelSource {
    private final StoreIndex index;
    private final FileVersions versions = new FileVersions();
    /** The last entry found per id: the index file and version that {@link #isCurrent} compares. As many as ids asked. */
    private final Map<ModelId, StoreEntry> seen = new ConcurrentHashMap<>();

    private StoreModelSource(StoreIndex index) {
        this.index = index;
    }

    /**
     * Ollama's models folder ({@code ~/.ollama/models}, or {@code $OLLAMA_MODELS}): every manifest's model layer is a
     * model. Its id is the name {@code ollama list} shows, with {@code +} for {@code /}: {@code llama3.2:3b} for a library
     * model, {@code NAMESPACE+MODEL:TAG} for another namespace of Ollama's registry,
     * {@code HOST+NAMESPACE+MODEL:TAG} for another registry ({@code hf.co+bartowski+Llama-3.2-1B-Instruct-GGUF:Q4_K_M}).
     * Ollama's names hold no {@code +}, so the id spells the manifest's path back.
     *
     * @throws IllegalArgumentException in one line, when the folder does not exist or is not an Ollama models folder
     */
    public static StoreModelSource ollama(Path folder) {
        return new StoreModelSource(OllamaManifests.open(folder));
    }

    /**
     * The Hugging Face hub cache ({@code ~/.cache/huggingface/hub}): every {@code .gguf} file of the revision each
     * repository's {@code refs/main} names. Its id is {@code ORG+REPO+FILE}: the repository and the file's path in it with
     * {@code +} for {@code /} and without {@code .gguf} ({@code bartowski+Llama-3.2-1B-Instruct-GGUF+Llama-3.2-1B-Instruct-Q4_K_M});
     * repository names hold no {@code +}. A split model ({@code NAME-00001-of-00003.gguf} and its parts) is one id,
     * {@code ORG+REPO+NAME}, listed unservable: the preloader serves one file per model.
     *
     * @throws IllegalArgumentException in one line, when the folder does not exist or is not a hub cache
     */
    public static StoreModelSource huggingFace(Path folder) {
        return new StoreModelSource(HubSnapshots.open(folder));
    }

    /** The store's folder, real path. */
    public Path root() {
        return index.root();
    }

    @Override
    public List<ModelDescriptor> list() {
        return Lookup.models(scan());
    }

    @Override
    public List<UnservableModel> unservable() {
        return Lookup.unservable(scan());
    }

    @Override
    public Optional<UnservableModel> unservable(ModelId id) {
        return look(id).flatMap(l -> l instanceof Lookup.Broken(UnservableModel u) ? Optional.of(u) : Optional.empty());
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        return look(id).flatMap(l -> l instanceof Lookup.Found(ModelDescriptor m) ? Optional.of(m) : Optional.empty());
    }

    private List<Lookup> scan() {
        List<Lookup> all = new ArrayList<>();
        for (StoreEntry entry : index.scan().values()) {
            remember(entry);
            all.add(entry.lookup());
        }
        return all;
    }

    private Optional<Lookup> look(ModelId id) {
        Optional<StoreEntry> entry = index.find(id);
        entry.ifPresentOrElse(this::remember, () -> seen.remove(id));
        return entry.map(StoreEntry::lookup);
    }

    private void remember(StoreEntry entry) {
        seen.put(entry.id(), entry);
    }

    /**
     * The index file that named this model unchanged (one {@code stat}) and the blob still this version (another);
     * anything else is looked up again.
     */
    @Override
    public boolean isCurrent(ModelDescriptor model) {
        StoreEntry entry = seen.get(model.id());
        if (entry == null || !(entry.lookup() instanceof Lookup.Found(ModelDescriptor found)) || !found.path().equals(model.path())
                || versions.compare(entry.index(), entry.indexVersion()) != FileStatus.Match.SAME) {
            return ModelSource.super.isCurrent(model);
        }
        FileStatus.Match blob = versions.compare(model.path(), model.fingerprint());
        return blob == FileStatus.Match.SAME || blob == FileStatus.Match.UNREADABLE && ModelSource.super.isCurrent(model);
    }

    /** @throws StoreException for a path that is not one of this store's blobs (a descriptor this source did not make) */
    @Override
    public HeaderBytes header(ModelDescriptor model) {
        if (!index.holds(model.path())) {
            throw new StoreException("not reading " + model.path() + ": it is not a blob of the store " + index.root());
        }
        return MappedHeader.open(model);
    }

    /** Watches the store's whole tree: the index files and the blobs, folders made later included. */
    @Override
    public Watch watch(Runnable changed) {
        return FolderWatch.tree(index.root(), index::relevant, changed);
    }

    @Override
    public String toString() {
        return (index instanceof OllamaManifests ? "the Ollama store " : "the hub cache ") + index.root();
    }
}
