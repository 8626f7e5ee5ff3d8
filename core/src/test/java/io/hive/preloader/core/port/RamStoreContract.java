package io.hive.preloader.core.port;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link RamStore} must do, on real files and real memory. Each store's test extends this class
 * and says how to make the store.
 */
public abstract class RamStoreContract {
    private static final int PAGE = 4096;

    @TempDir
    protected Path dir;

    protected abstract RamStore newStore();

    protected static void assertSameBytes(MemorySegment actual, byte[] expected) {
        assertThat(actual.byteSize()).isEqualTo(expected.length);
        long mismatch = actual.mismatch(MemorySegment.ofArray(expected));
        assertThat(mismatch).as("first differing byte").isEqualTo(-1L);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(longs = {1, PAGE - 1, PAGE, PAGE + 1, 3 * 1024 * 1024 + 13, 9 * 1024 * 1024})
    void loadsEveryByteOfTheFile(long size) {
        byte[] contents = ModelFiles.randomBytes(size, size);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));

        ResidentRegion region = newStore().load(model, LoadProgress.NONE);
        try {
            assertSameBytes(region.bytes(), contents);
            assertThat(region.bytes().isReadOnly()).as("a resident model is read-only").isTrue();
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void reportsTheWholeModelResidentAfterLoad() {
        byte[] contents = ModelFiles.randomBytes(5 * 1024 * 1024 + 7, 1);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));

        ResidentRegion region = newStore().load(model, LoadProgress.NONE);
        try {
            assertThat(region.residentBytes()).isEqualTo(contents.length);
        } finally {
            region.release(ResidentRegion.Release.DROP);
        }
    }

    @Test
    void reportsProgressUpToTheWholeFile() {
        byte[] contents = ModelFiles.randomBytes(6 * 1024 * 1024, 2);
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", contents));
        AtomicLong last = new AtomicLong(-1);
        AtomicLong total = new AtomicLong();

        ResidentRegion region = newStore().load(model, (done, of) -> {
            assertThat(done).isGreaterThanOrEqualTo(last.get());
            last.set(done);
            total.set(of);
        });
        region.release(ResidentRegion.Release.DROP);

        assertThat(last.get()).isEqualTo(contents.length);
        assertThat(total.get()).isEqualTo(contents.length);
    }

    @ParameterizedTest
    @EnumSource(ResidentRegion.Release.class)
    void releasedRegionCanNoLongerBeRead(ResidentRegion.Release how) {
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "m.gguf", ModelFiles.randomBytes(PAGE * 3, 3)));
        ResidentRegion region = newStore().load(model, LoadProgress.NONE);
        MemorySegment bytes = region.bytes();

        region.release(how);

        assertThatThrownBy(() -> bytes.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesAMissingFileNamingIt() {
        Path missing = dir.resolve("gone.gguf");
        ModelDescriptor model = ModelFiles.describe(ModelFiles.write(dir, "gone.gguf", new byte[10]));
        missing.toFile().delete();

        assertThatThrownBy(() -> newStore().load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void refusesAFileThatShrankSinceItWasLookedUp() {
        Path file = ModelFiles.write(dir, "m.gguf", ModelFiles.randomBytes(PAGE * 4, 4));
        ModelDescriptor model = ModelFiles.describe(file);
        ModelFiles.write(dir, "m.gguf", ModelFiles.randomBytes(PAGE, 4));

        assertThatThrownBy(() -> newStore().load(model, LoadProgress.NONE))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void concurrentLeasesReadTheSameBytesAndTheLastCloseFreesThem() throws Exception {
        byte[] contents = ModelFiles.randomBytes(4 * 1024 * 1024, 5);
        ModelFiles.write(dir, "shared.gguf", contents);
        ModelId id = ModelId.of("shared");
        try (ModelPreloader preloader = preloader()) {
            preloader.preload(id).get();
            int readers = 8;
            CountDownLatch allHolding = new CountDownLatch(readers);
            CountDownLatch evicted = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(readers);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                results.add(pool.submit(() -> {
                    try (Lease lease = preloader.get(id)) {
                        allHolding.countDown();
                        evicted.await();
                        // Evicted while held: the bytes must stay valid and exact until this lease closes.
                        return lease.bytes().mismatch(MemorySegment.ofArray(contents)) == -1;
                    }
                }));
            }
            allHolding.await();
            assertThat(preloader.evict(id)).isTrue();
            assertThat(preloader.stats().cache().usedBytes()).as("held by leases").isEqualTo(contents.length);
            evicted.countDown();
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
            pool.shutdown();
            // The last lease hands the model to the releaser thread: charged until the store has freed it.
            await().until(() -> preloader.stats().cache().usedBytes() == 0);
            assertThat(preloader.stats().cache().usedBytes()).as("freed after the last lease").isZero();
            assertThat(preloader.stats().cache().entries()).isEmpty();
        }
    }

    @Test
    void aFileReplacedWhileCachedIsReloadedNeverServedStale() {
        byte[] before = ModelFiles.randomBytes(2 * 1024 * 1024, 6);
        byte[] after = ModelFiles.randomBytes(3 * 1024 * 1024, 7);
        Path file = ModelFiles.write(dir, "model.gguf", before);
        ModelId id = ModelId.of("model");
        try (ModelPreloader preloader = preloader()) {
            Lease old = preloader.get(id);
            assertSameBytes(old.bytes(), before);

            ModelFiles.replace(file, after);

            try (Lease fresh = preloader.get(id)) {
                assertThat(fresh.origin()).isEqualTo(Origin.DISK);
                assertSameBytes(fresh.bytes(), after);
                // The old lease still sees the version it was given, whole.
                assertSameBytes(old.bytes(), before);
            }
            old.close();
            // The last lease hands the model to the releaser thread: charged until the store has freed it.
            await().until(() -> preloader.stats().cache().usedBytes() == after.length);
        }
    }

    private ModelPreloader preloader() {
        return ModelPreloader.builder()
                .source(new FolderSource(dir))
                .store(newStore())
                .budget(new ByteBudget(64L * 1024 * 1024))
                .build();
    }
}
