package io.hive.preloader.benchmarks.simulator;

import io.hive.preloader.adapters.caffeine.CaffeineEvictionPolicy;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A replay counts what the cache really did: checked on traces small enough to work out by hand. */
class ReplayTest {
    private static final long GB = 1_000_000_000L;

    private static Trace trace(String spawns, Map<String, Long> sizes) {
        Map<ModelId, ModelDescriptor> models = new LinkedHashMap<>();
        int inode = 0;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            ModelId id = ModelId.of(e.getKey());
            models.put(id, new ModelDescriptor(id, Path.of("/t", e.getKey()), new Fingerprint(e.getValue(), 0, ++inode)));
        }
        List<ModelId> ids = Arrays.stream(spawns.split(" ")).map(ModelId::of).toList();
        return new Trace(ids, models, 0, Trace.Shape.standard());
    }

    @Test
    void countsHitsMissesAndTheBytesOfEachMiss() {
        // Room for two of the three: with LRU, a b a c (evicts b) b (evicts a) a (evicts c).
        Trace t = trace("a b a c b a", Map.of("a", 10 * GB, "b", 10 * GB, "c", 5 * GB));

        Replay.Result r = Replay.run(t, 20 * GB, budget -> new LruPolicy());

        assertThat(r.spawns()).isEqualTo(6);
        assertThat(r.hits()).isEqualTo(1);
        assertThat(r.bytesFromDisk()).isEqualTo(10 * GB + 10 * GB + 5 * GB + 10 * GB + 10 * GB);
        assertThat(r.evictions()).isEqualTo(3);
        assertThat(r.policy()).isEqualTo("lru");
        assertThat(r.hitRate()).isEqualTo(1.0 / 6);
    }

    @Test
    void caffeineKeepsTheSteadyModelsThroughAScanWhereLruDoesNot() {
        Trace t = trace("a b a b a b a b a b x1 x2 x3 x4 a b",
                Map.of("a", 4 * GB, "b", 4 * GB, "x1", 4 * GB, "x2", 4 * GB, "x3", 4 * GB, "x4", 4 * GB));
        long budget = 16L << 30;

        Replay.Result lru = Replay.run(t, budget, b -> new LruPolicy());
        Replay.Result caffeine = Replay.run(t, budget, CaffeineEvictionPolicy::new);

        assertThat(lru.hits()).isEqualTo(8);
        assertThat(caffeine.hits()).isEqualTo(10);
    }
}
