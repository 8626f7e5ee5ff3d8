package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ResidentRegion.Release;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the cache tells a store to let a model go: to make room only for the load that follows on the same thread (the
 * store may keep that memory for it), otherwise to drop it, and on close to leave the page cache warm.
 */
class ReleaseModeTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final Executor direct = Runnable::run;
    final ModelCache cache = new ModelCache(store, new LruPolicy(), new ByteBudget(3 * MiB), direct);

    @Test
    void aModelEvictedToAdmitAnotherMakesRoomForItsLoad() throws Exception {
        ModelId a = source.add("a", 2 * MiB);
        ModelId b = source.add("b", 2 * MiB);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        cache.admit(source.describe(b), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        assertThat(store.releasedAs(a)).contains(Release.MAKE_ROOM);
        assertThat(cache.snapshot().usedBytes()).isEqualTo(2 * MiB);
    }

    @Test
    void aModelEvictedOnRequestOrByALowerBudgetIsDropped() throws Exception {
        ModelId a = source.add("a", MiB);
        ModelId b = source.add("b", MiB);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);
        cache.admit(source.describe(b), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        cache.evict(a);
        cache.budget(new ByteBudget(MiB / 2));

        assertThat(store.releasedAs(a)).contains(Release.DROP);
        assertThat(store.releasedAs(b)).contains(Release.DROP);
    }

    @Test
    void closingLeavesThePageCacheWarm() throws Exception {
        ModelId a = source.add("a", MiB);
        cache.admit(source.describe(a), LoadProgress.NONE).get(5, TimeUnit.SECONDS);

        cache.close();

        assertThat(store.releasedAs(a)).contains(Release.RETAIN_PAGE_CACHE);
    }
}
