package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.CacheSnapshot;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Faults on real files, for every store: a file truncated, replaced or deleted while it loads and while it is
 * resident, a read failing mid-load, the budget lowered below what is resident. After each: a clear error, the
 * memory back to what it was, no partly loaded model served, the other models unharmed.
 */
public abstract class StoreFaultContract {
    /** Large enough that stores report progress before the end, where the faults are injected. */
    protected static final int BIG = 160 << 20;
    protected static final int SMALL = 3 << 20;

    @TempDir
    protected Path dir;

    protected abstract RamStore newStore();

    /**
     * Bytes of the mappings the store under test holds models in, as the kernel lists them ({@code /proc/self/maps} or
     * {@code smaps}, picked out by the store's files or by how it marks its memory): never the heap's or the JIT's,
     * which move on their own, so that before and after a fault compare exactly.
     */
    protected abstract long heldBytes(Path modelFile);

    private void assertHeldAgain(Path file, long before) {
        assertThat(heldBytes(file)).as("memory the store holds after the fault").isEqualTo(before);
    }

    private byte[] bystander;

    /** A store that runs {@code fault} the first time the wrapped store reports progress short of the end. */
    private RamStore faultyStore(BiConsumer<ModelDescriptor, Long> fault) {
        RamStore real = newStore();
        return new RamStore() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
                AtomicInteger calls = new AtomicInteger();
                return real.load(model, (done, total) -> {
                    if (done < total && model.id().value().equals("victim") && calls.getAndIncrement() == 0) {
                        fault.accept(model, done);
                    }
                    progress.advanced(done, total);
                });
            }
        };
    }

    private ModelPreloader preloader(RamStore store) {
        bystander = ModelFiles.randomBytes(SMALL, 99);
        ModelFiles.write(dir, "bystander.gguf", bystander);
        return ModelPreloader.builder().source(new FolderSource(dir)).store(store).budget(new ByteBudget(1L << 30)).build();
    }

    private void assertBystanderUnharmed(ModelPreloader preloader) {
        try (Lease lease = preloader.get(ModelId.of("bystander"))) {
            assertThat(lease.bytes().mismatch(MemorySegment.ofArray(bystander))).isEqualTo(-1);
        }
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 12));
        }
        return b;
    }

    private static void truncate(Path file, long length) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aReadFailingMidLoadLeavesNothingBehind() {
        Path file = ModelFiles.write(dir, "victim.gguf", pattern(BIG, 1));
        try (ModelPreloader preloader = preloader(faultyStore((model, done) -> {
            throw new StoreException("read error in " + model.path() + " at byte " + done);
        }))) {
            preloader.get(ModelId.of("bystander")).close();
            long before = heldBytes(file);

            assertThatThrownBy(() -> preloader.get(ModelId.of("victim"))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("read error in " + file);

            assertHeldAgain(file, before);
            assertThat(preloader.stats().cache().entries()).extracting(CacheSnapshot.Entry::id).containsExactly(ModelId.of("bystander"));
            assertThat(preloader.stats().cache().usedBytes()).isEqualTo(SMALL);
            assertBystanderUnharmed(preloader);
        }
    }

    @Test
    void aFileTruncatedWhileLoadingIsRefusedAndNotServed() {
        Path file = ModelFiles.write(dir, "victim.gguf", pattern(BIG, 2));
        try (ModelPreloader preloader = preloader(faultyStore((model, done) -> truncate(model.path(), 4096)))) {
            assertThatThrownBy(() -> preloader.get(ModelId.of("victim"))).isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString());

            assertThat(preloader.open(ModelId.of("victim"))).isEmpty();
            assertThat(preloader.stats().cache().usedBytes()).isZero();
            assertBystanderUnharmed(preloader);
        }
    }

    @Test
    void aFileReplacedWhileLoadingServesTheVersionLoadedThenTheNewOne() {
        byte[] first = pattern(BIG, 3);
        byte[] second = pattern(SMALL, 4);
        Path file = ModelFiles.write(dir, "victim.gguf", first);
        try (ModelPreloader preloader = preloader(faultyStore((model, done) -> ModelFiles.replace(model.path(), second)))) {
            try (Lease old = preloader.get(ModelId.of("victim"))) {
                // The version opened is loaded whole: never a mix of the two files.
                assertThat(old.bytes().mismatch(MemorySegment.ofArray(first))).isEqualTo(-1);
                try (Lease fresh = preloader.get(ModelId.of("victim"))) {
                    assertThat(fresh.bytes().mismatch(MemorySegment.ofArray(second))).isEqualTo(-1);
                }
            }
            // The last lease hands the model to the releaser thread: charged until the store has freed it.
            await().until(() -> preloader.stats().cache().usedBytes() == SMALL);
            assertThat(Files.exists(file)).isTrue();
        }
    }

    @Test
    void aFileDeletedWhileResidentKeepsItsLeaseWholeAndIsThenUnknown() throws IOException {
        byte[] contents = pattern(SMALL, 5);
        Path file = ModelFiles.write(dir, "victim.gguf", contents);
        try (ModelPreloader preloader = preloader(newStore())) {
            Lease lease = preloader.get(ModelId.of("victim"));
            Files.delete(file);

            assertThat(lease.bytes().mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1);
            assertThatThrownBy(() -> preloader.get(ModelId.of("victim"))).isInstanceOf(UnknownModelException.class);
            assertThat(preloader.evict(ModelId.of("victim"))).isTrue();
            lease.close();
            // The last lease hands the model to the releaser thread: charged until the store has freed it.
            await().until(() -> preloader.stats().cache().usedBytes() == 0);
            assertBystanderUnharmed(preloader);
        }
    }

    @Test
    void aFileTruncatedWhileResidentIsReloadedNeverServedStale() {
        Path file = ModelFiles.write(dir, "victim.gguf", pattern(SMALL, 6));
        try (ModelPreloader preloader = preloader(newStore())) {
            preloader.get(ModelId.of("victim")).close();

            truncate(file, 8192);

            try (Lease lease = preloader.get(ModelId.of("victim"))) {
                assertThat(lease.bytes().byteSize()).isEqualTo(8192);
                assertThat(lease.bytes().mismatch(MemorySegment.ofArray(java.util.Arrays.copyOf(pattern(SMALL, 6), 8192)))).isEqualTo(-1);
            }
            assertThat(preloader.stats().cache().usedBytes()).isEqualTo(8192);
        }
    }

    @Test
    void loweringTheBudgetBelowWhatIsResidentGivesTheMemoryBack() throws Exception {
        Path file = ModelFiles.write(dir, "victim.gguf", pattern(SMALL, 7));
        try (ModelPreloader preloader = preloader(newStore())) {
            long before = heldBytes(file);
            preloader.preload(ModelId.of("victim")).get();
            assertThat(heldBytes(file)).as("memory the store holds for the victim").isGreaterThanOrEqualTo(before + SMALL);

            preloader.budget(new ByteBudget(SMALL / 2));

            org.awaitility.Awaitility.await().until(() -> preloader.stats().cache().usedBytes() == 0);
            assertHeldAgain(file, before);
        }
    }
}
