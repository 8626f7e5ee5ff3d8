package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.ModelSource;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Which models {@code autoPreload} warms: the most accessed that the source still has, ties by id. */
final class MostAccessed {
    private MostAccessed() {
    }

    static List<ModelId> servable(Map<ModelId, Long> accessCounts, ModelSource source, int count) {
        return accessCounts.entrySet().stream()
                .filter(e -> e.getValue() > 0 && source.find(e.getKey()).isPresent())
                .sorted(Map.Entry.<ModelId, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(count)
                .map(Map.Entry::getKey)
                .toList();
    }
}
