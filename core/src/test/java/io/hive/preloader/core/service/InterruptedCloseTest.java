package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.LruPolicy;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.AccessJournal;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.transfer.PlanMode;
import org.junit.jupiter.api.Test;

import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A preloader closed by an interrupted thread still lets go of its threads. */
class InterruptedCloseTest {
    static final long MiB = 1024 * 1024;
    final FakeSource source = new FakeSource();
    final FakeStore store = new FakeStore();

    /**
     * With a load still running, the interrupt made the wait for the loads throw, which skipped shutting the releaser
     * down: its thread stayed for good.
     */
    @Test
    void closingWhileInterruptedStillShutsTheReleaserDown() {
        ModelId slow = source.add("slow", MiB);
        ExecutorService loader = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());
        ExecutorService background = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
        ModelPreloader p = new DefaultModelPreloader(source, store, new LruPolicy(), new ByteBudget(16 * MiB), Optional.empty(),
                AccessJournal.NONE, InstantSource.system(), loader, background,
                new DefaultModelPreloader.Transfers(Optional.empty(), PlanMode.AUTO, PreloaderBuilder.DEFAULT_CHUNK),
                PreloaderBuilder.DEFAULT_FOLLOW_INTERVAL);
        store.hold(slow);
        p.preload(slow); // still loading when the preloader closes

        Thread.currentThread().interrupt();
        try {
            p.close();
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            store.open(slow);
        }

        assertThat(background.isShutdown()).as("the releaser takes no more work; its thread ends").isTrue();
        await().until(() -> loader.isTerminated() && store.liveRegions() == 0);
    }
}
