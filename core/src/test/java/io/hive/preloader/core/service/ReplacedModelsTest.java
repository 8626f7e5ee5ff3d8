package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A model replaced on disk is followed by the periodic re-stat (this source has no watch): the old version is
 * dropped, freed once its last lease closes, and the new one loaded in the background once its header is valid; an
 * invalid replacement leaves the model invalid, and a later valid version of the file is loaded.
 */
class ReplacedModelsTest {
    static final long MiB = 1024 * 1024;

    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();
    final ModelPreloader preloader = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(64 * MiB))
            .followInterval(Duration.ofMillis(50)).build();

    @AfterEach
    void nothingLeaks() {
        preloader.close();
        assertThat(store.liveRegions()).as("regions still allocated after close").isZero();
    }

    List<CacheSnapshot.Entry> entries(ModelId id) {
        return preloader.stats().cache().entries().stream().filter(e -> e.id().equals(id)).toList();
    }

    @Test
    void aResidentModelsNewVersionIsLoadedInTheBackgroundAndTheOldOneFreed() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        preloader.preload(a).get(10, TimeUnit.SECONDS);

        source.replace(a, 6 * MiB);

        await().atMost(Duration.ofSeconds(10)).until(() -> store.loads(a) == 2 && entries(a).size() == 1
                && entries(a).getFirst().state() == CacheSnapshot.State.RESIDENT);
        assertThat(entries(a).getFirst().descriptor().fingerprint()).isEqualTo(source.describe(a).fingerprint());
        assertThat(store.liveBytes()).as("only the new version is held").isEqualTo(6 * MiB);
        assertThat(preloader.usedBytes()).isEqualTo(6 * MiB);
        try (Lease lease = preloader.open(a).orElseThrow()) {
            assertThat(FakeStore.matches(lease.bytes(), source.describe(a))).isTrue();
        }
        assertThat(preloader.stats().replacing()).isEmpty();
    }

    @Test
    void theOldVersionIsFreedWhenItsLastLeaseClosesAndTheModelIsReplacingMeanwhile() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        preloader.pin(a).get(10, TimeUnit.SECONDS);
        Lease old = preloader.get(a);
        store.hold(a);

        source.replace(a, 5 * MiB);

        await().atMost(Duration.ofSeconds(10)).until(() -> preloader.stats().replacing().contains(a));
        assertThat(preloader.open(a)).as("the old version is not served").isEmpty();
        store.open(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> preloader.stats().replacing().isEmpty()
                && entries(a).stream().anyMatch(e -> e.state() == CacheSnapshot.State.RESIDENT));
        assertThat(entries(a)).extracting(CacheSnapshot.Entry::state)
                .containsExactlyInAnyOrder(CacheSnapshot.State.RESIDENT, CacheSnapshot.State.DRAINING);
        assertThat(FakeStore.matches(old.bytes(), old.descriptor())).as("the old lease still reads its bytes").isTrue();
        assertThat(preloader.stats().cache().entries().stream().filter(CacheSnapshot.Entry::pinned).map(CacheSnapshot.Entry::id))
                .contains(a);

        old.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).size() == 1 && store.liveBytes() == 5 * MiB);
    }

    @Test
    void anInvalidReplacementLeavesTheModelInvalidAndAValidOneLaterIsLoaded() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        preloader.pin(a).get(10, TimeUnit.SECONDS);

        source.replace(a, 4 * MiB);
        source.corrupt(a, "junk".getBytes());

        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).isEmpty() && store.liveRegions() == 0);
        assertThat(preloader.checked(a)).hasValueSatisfying(entry -> assertThat(entry.error())
                .hasValueSatisfying(error -> assertThat(error).startsWith("/models/a.gguf: not a GGUF file").endsWith("(at byte 0)")));
        assertThat(preloader.usedBytes()).isZero();
        Thread.sleep(300); // several re-stats: the invalid version is not tried again
        assertThat(store.loads(a)).isEqualTo(1);

        source.replace(a, 3 * MiB);
        source.heal(a);

        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).size() == 1 && entries(a).getFirst().state() == CacheSnapshot.State.RESIDENT);
        assertThat(entries(a).getFirst().bytes()).isEqualTo(3 * MiB);
        assertThat(entries(a).getFirst().pinned()).isTrue();
        assertThat(preloader.checked(a)).hasValueSatisfying(entry -> assertThat(entry.valid()).isTrue());
    }

    @Test
    void aLookUpThatFailsWhileAnInvalidReplacementIsHandledLeavesTheModelFollowed() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        preloader.pin(a).get(10, TimeUnit.SECONDS);

        // The replacement's own look-up succeeds, the one after its header is refused fails (a stat with EIO).
        source.failFindAfterHeader(a);
        source.corrupt(a, "junk".getBytes()); // first, so that the follower sees only the invalid version
        source.replace(a, 4 * MiB);

        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).isEmpty() && store.liveRegions() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> preloader.stats().replacing().isEmpty());

        source.replace(a, 3 * MiB);
        source.heal(a);

        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).size() == 1 && entries(a).getFirst().state() == CacheSnapshot.State.RESIDENT);
        assertThat(entries(a).getFirst().bytes()).isEqualTo(3 * MiB);
    }

    @Test
    void aWatchStartedWhileThePreloaderClosesIsClosed() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        CountDownLatch watching = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicBoolean watchClosed = new AtomicBoolean();
        ModelSource slowWatch = new ModelSource() {
            public List<ModelDescriptor> list() { return source.list(); }
            public Optional<ModelDescriptor> find(ModelId id) { return source.find(id); }
            public HeaderBytes header(ModelDescriptor model) { return source.header(model); }
            public Watch watch(Runnable changed) {
                watching.countDown();
                try {
                    closed.await(); // the preloader closes while the source sets its watch up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return () -> watchClosed.set(true);
            }
        };
        ModelPreloader closing = ModelPreloader.builder().source(slowWatch).store(new FakeStore()).budget(new ByteBudget(64 * MiB)).build();
        CompletableFuture<?> first = CompletableFuture.runAsync(() -> closing.preload(a));
        watching.await();
        closing.close();
        closed.countDown();
        try {
            first.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException refused) {
            // the closed cache refuses the load: that is not what is tested
        }
        assertThat(watchClosed).as("the watch made after close was closed").isTrue();
    }

    @Test
    void aRemovedFileDropsItsCopy() throws Exception {
        ModelId a = source.add("a", 4 * MiB);
        preloader.preload(a).get(10, TimeUnit.SECONDS);

        source.remove(a);

        await().atMost(Duration.ofSeconds(10)).until(() -> entries(a).isEmpty() && store.liveRegions() == 0);
        assertThat(preloader.usedBytes()).isZero();
    }
}
