package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.util.Map;

/** Keeps per-model access counts across restarts, so that the most used models can be preloaded at startup. */
public interface AccessJournal {
    AccessJournal NONE = new AccessJournal() {
        @Override
        public Map<ModelId, Long> read() {
            return Map.of();
        }

        @Override
        public void write(Map<ModelId, Long> accessCounts) {
        }
    };

    Map<ModelId, Long> read();

    void write(Map<ModelId, Long> accessCounts);
}
