package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;

import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** What one model id leads to: a model, one that cannot be served and why, or nothing. */
sealed interface Lookup {
    ModelId id();

    /** The models found among these, in their order. */
    static List<ModelDescriptor> models(Collection<Lookup> lookups) {
        return lookups.stream().flatMap(l -> l instanceof Found(ModelDescriptor m) ? Stream.of(m) : Stream.empty()).toList();
    }

    /** The models known but unservable among these, in their order. */
    static List<UnservableModel> unservable(Collection<Lookup> lookups) {
        return lookups.stream().flatMap(l -> l instanceof Broken(UnservableModel u) ? Stream.of(u) : Stream.empty()).toList();
    }

    record Found(ModelDescriptor model) implements Lookup {
        @Override
        public ModelId id() {
            return model.id();
        }
    }

    record Broken(UnservableModel model) implements Lookup {
        @Override
        public ModelId id() {
            return model.id();
        }
    }

    record Absent(ModelId id) implements Lookup {
    }
}
