package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;

/** What one model id leads to: a model, one that cannot be served and why, or nothing. */
sealed interface Lookup {
    ModelId id();

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
