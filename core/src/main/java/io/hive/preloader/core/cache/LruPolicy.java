package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.EvictionPolicy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Least recently used first: an access-ordered map whose head is the coldest model. */
public final class LruPolicy implements EvictionPolicy {
    private final Map<ModelId, Boolean> order = new LinkedHashMap<>(16, 0.75f, true);

    @Override
    public String name() {
        return "lru";
    }

    @Override
    public void admitted(ModelId id, long bytes) {
        order.put(id, Boolean.TRUE);
    }

    @Override
    public void accessed(ModelId id) {
        order.get(id);
    }

    @Override
    public void removed(ModelId id) {
        order.remove(id);
    }

    @Override
    public Optional<ModelId> victim(Predicate<ModelId> evictable) {
        return order.keySet().stream().filter(evictable).findFirst();
    }
}
