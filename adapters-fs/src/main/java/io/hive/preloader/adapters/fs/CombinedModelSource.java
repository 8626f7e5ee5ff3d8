package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StoreException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several sources as one (models folders, Ollama's store, the hub cache), searched in their order: an id belongs to
 * the first source that knows it, servable or not, so a model in a folder shadows a store's of the same id (logged
 * once). Each descriptor is answered for by the source that made it: its header, its hit check.
 */
public final class CombinedModelSource implements ModelSource {
    private static final System.Logger LOG = System.getLogger(CombinedModelSource.class.getName());

    private final List<ModelSource> sources;
    private final Warnings warnings = new Warnings(LOG);
    /** Which source an id was last found in; the hit check goes straight to it. As many as ids found. */
    private final Map<ModelId, ModelSource> owners = new ConcurrentHashMap<>();

    public CombinedModelSource(List<? extends ModelSource> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no model source given");
        }
        this.sources = List.copyOf(sources);
    }

    @Override
    public List<ModelDescriptor> list() {
        return Lookup.models(lookAll().values());
    }

    @Override
    public List<UnservableModel> unservable() {
        return Lookup.unservable(lookAll().values());
    }

    /** Every id of every source, the first source's where two know one, sorted. */
    private Map<ModelId, Lookup> lookAll() {
        Map<ModelId, Lookup> all = new TreeMap<>();
        Map<ModelId, ModelSource> from = new TreeMap<>();
        for (ModelSource source : sources) {
            List<Lookup> known = new ArrayList<>();
            source.list().forEach(m -> known.add(new Lookup.Found(m)));
            source.unservable().forEach(u -> known.add(new Lookup.Broken(u)));
            for (Lookup l : known) {
                ModelSource first = from.putIfAbsent(l.id(), source);
                if (first == null) {
                    all.put(l.id(), l);
                    if (l instanceof Lookup.Found) {
                        owners.put(l.id(), source);
                    }
                } else if (first != source) {
                    warnings.once("model '" + l.id() + "' of " + source + " is hidden by the one of the same id in " + first);
                }
            }
        }
        return all;
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        for (ModelSource source : sources) {
            Optional<ModelDescriptor> found = source.find(id);
            if (found.isPresent()) {
                owners.put(id, source);
                return found;
            }
            if (source.unservable(id).isPresent()) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<UnservableModel> unservable(ModelId id) {
        for (ModelSource source : sources) {
            if (source.find(id).isPresent()) {
                return Optional.empty();
            }
            Optional<UnservableModel> broken = source.unservable(id);
            if (broken.isPresent()) {
                return broken;
            }
        }
        return Optional.empty();
    }

    /** The check of the source that found the model; when another source has found the id since, that one's. */
    @Override
    public boolean isCurrent(ModelDescriptor model) {
        ModelSource owner = owners.get(model.id());
        return owner != null ? owner.isCurrent(model) : ModelSource.super.isCurrent(model);
    }

    @Override
    public HeaderBytes header(ModelDescriptor model) {
        ModelSource owner = owners.get(model.id());
        if (owner == null) {
            throw new StoreException("not reading " + model.path() + ": no model source of this preloader described model '" + model.id() + "'");
        }
        return owner.header(model);
    }

    @Override
    public Watch watch(Runnable changed) {
        List<Watch> watches = new ArrayList<>();
        try {
            for (ModelSource source : sources) {
                watches.add(source.watch(changed));
            }
        } catch (RuntimeException e) {
            watches.forEach(Watch::close);
            throw e;
        }
        return () -> watches.forEach(Watch::close);
    }
}
