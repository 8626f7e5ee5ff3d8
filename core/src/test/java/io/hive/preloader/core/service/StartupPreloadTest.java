package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a daemon does when it starts: keep (pin) some models and preload the most used others. */
class StartupPreloadTest {
    static final long MiB = 1024 * 1024;

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final ModelId a = source.add("a", MiB), b = source.add("b", MiB), c = source.add("c", MiB), d = source.add("d", MiB);
    ModelPreloader preloader;

    ModelPreloader preloader(long budget, Map<ModelId, Long> counts) {
        AccessJournal journal = new AccessJournal() {
            @Override
            public Map<ModelId, Long> read() {
                return counts;
            }

            @Override
            public void write(Map<ModelId, Long> accessCounts) {
            }
        };
        preloader = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(budget)).journal(journal).build();
        return preloader;
    }

    @AfterEach
    void close() {
        preloader.close();
        assertThat(store.liveRegions()).isZero();
    }

    @Test
    void shouldPinTheKeptModelsAndPreloadTheMostUsedOthers() throws Exception {
        ModelPreloader p = preloader(16 * MiB, Map.of(a, 9L, b, 7L, c, 5L, ModelId.of("gone"), 50L));
        StartupPreload startup = new StartupPreload(List.of(d, a, ModelId.of("absent")), 2);

        Map<ModelId, CompletableFuture<Loaded>> loads = startup.start(p);

        assertThat(loads.keySet()).containsExactly(d, a, b, c);
        CompletableFuture.allOf(loads.values().toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(p.stats().cache().entries()).extracting(CacheSnapshot.Entry::id, CacheSnapshot.Entry::pinned)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a, true), org.assertj.core.groups.Tuple.tuple(b, false),
                        org.assertj.core.groups.Tuple.tuple(c, false), org.assertj.core.groups.Tuple.tuple(d, true));
        assertThat(startup.plan(p).unknown()).containsExactly(ModelId.of("absent"));
    }

    @Test
    void shouldNeverEvictAKeptModel() throws Exception {
        ModelPreloader p = preloader(2 * MiB, Map.of());
        new StartupPreload(List.of(a), 0).start(p).get(a).get(10, TimeUnit.SECONDS);

        p.preload(b).get(10, TimeUnit.SECONDS);
        p.preload(c).get(10, TimeUnit.SECONDS);

        assertThat(p.stats().cache().entries()).extracting(CacheSnapshot.Entry::id).containsExactly(a, c);
        assertThatThrownBy(() -> p.evict(a)).hasMessageContaining("pinned");
    }

    @Test
    void shouldChooseOnlyModelsInUse() {
        ModelPreloader p = preloader(16 * MiB, Map.of(a, 1L, b, 0L));

        StartupPreload.Plan plan = new StartupPreload(List.of(), 3).plan(p);

        assertThat(plan.keep()).isEmpty();
        assertThat(plan.mostUsed()).containsExactly(a);
    }
}
