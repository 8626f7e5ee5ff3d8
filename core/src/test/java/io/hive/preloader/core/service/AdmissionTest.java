package io.hive.preloader.core.service;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.gguf.TensorInfo;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.testing.FakeLauncher;
import io.hive.preloader.core.testing.FakeSource;
import io.hive.preloader.core.testing.FakeStore;
import io.hive.preloader.core.testing.FolderSource;
import io.hive.preloader.core.testing.GgufCorpus;
import io.hive.preloader.core.testing.GgufFixtures;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Only whole, valid models are admitted: every file the fuzz corpus marks as one to refuse is refused by every path
 * that can load a model (preload, get, pin, open, the spawn flow) with the words and byte of the GGUF reader, before
 * anything is charged, and nothing resident is touched; the corpus's valid files still load; a model whose bytes do
 * not have their digest is refused and freed; a listing reads each file version's header once.
 */
class AdmissionTest {
    static final long MiB = 1024 * 1024;

    @TempDir
    Path models;

    final FakeStore store = new FakeStore();
    final List<ModelPreloader> opened = new ArrayList<>();

    ModelPreloader preloader(io.hive.preloader.core.port.ModelSource source, long budget) {
        ModelPreloader p = ModelPreloader.builder().source(source).store(store).budget(new ByteBudget(budget)).build();
        opened.add(p);
        return p;
    }

    @AfterEach
    void nothingLeaks() {
        opened.forEach(ModelPreloader::close);
        assertThat(store.liveRegions()).as("regions still allocated after close").isZero();
    }

    /** What {@code preloader inspect FILE} prints after {@code error: } for a file the reader refuses. */
    static String inspectWords(Path file, byte[] bytes) {
        try {
            GgufReader.read(MemorySegment.ofArray(bytes));
            throw new AssertionError(file + " is valid");
        } catch (GgufFormatException e) {
            return file + ": " + e.problem() + " (at byte " + e.offset() + ")";
        }
    }

    static InvalidModelException refusal(Runnable call) {
        Throwable thrown = catchThrowable(call::run);
        if (thrown instanceof CompletionException c) {
            thrown = c.getCause();
        }
        assertThat(thrown).isInstanceOf(InvalidModelException.class);
        return (InvalidModelException) thrown;
    }

    @Test
    void everyMutantToRefuseIsRefusedByEveryPathWithTheReadersWordsAndNothingResidentIsTouched() throws Exception {
        byte[] keptBytes = ModelFiles.model(MiB, 1);
        ModelFiles.write(models, "kept.gguf", keptBytes);
        List<GgufCorpus.Mutant> corpus = GgufCorpus.corpus();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            files.add(ModelFiles.write(models, String.format("m%04d.gguf", i), corpus.get(i).maker().get()));
        }
        FolderSource source = new FolderSource(models);
        ModelPreloader p = preloader(source, 64 * MiB);
        ModelId kept = ModelId.of("kept");
        p.pin(kept).get(10, TimeUnit.SECONDS);
        FakeLauncher launcher = new FakeLauncher();
        SpawnFlow flow = new SpawnFlow(p, launcher);
        int refused = 0;
        int loaded = 0;
        try (Lease held = p.get(kept)) {
            for (int i = 0; i < corpus.size(); i++) {
                GgufCorpus.Mutant mutant = corpus.get(i);
                ModelId id = ModelId.of(String.format("m%04d", i));
                byte[] bytes = mutant.maker().get();
                boolean valid = catchThrowable(() -> GgufReader.read(MemorySegment.ofArray(bytes))) == null;
                if (valid) {
                    assertThat(mutant.mustRefuse()).as("%s is valid", mutant.name()).isFalse();
                    assertThat(p.preload(id).get(10, TimeUnit.SECONDS).bytes()).as(mutant.name()).isEqualTo(bytes.length);
                    assertThat(p.evict(id)).isTrue();
                    loaded++;
                    continue;
                }
                String words = inspectWords(files.get(i), bytes);
                assertThat(refusal(() -> p.preload(id).join()).getMessage()).as(mutant.name()).isEqualTo(words);
                assertThat(refusal(() -> p.get(id)).getMessage()).as(mutant.name()).isEqualTo(words);
                assertThat(refusal(() -> p.pin(id).join()).getMessage()).as(mutant.name()).isEqualTo(words);
                assertThat(refusal(() -> p.open(id)).getMessage()).as(mutant.name()).isEqualTo(words);
                assertThat(refusal(() -> flow.spawn(id, List.of("worker", "{model}"), ReadinessProbe.exit())).getMessage())
                        .as(mutant.name()).isEqualTo(words);
                assertThat(p.stats().cache().entries()).as(mutant.name()).extracting(e -> e.id()).containsExactly(kept);
                assertThat(p.stats().cache().usedBytes()).as("%s: charged", mutant.name()).isEqualTo(keptBytes.length);
                refused++;
            }
            assertThat(held.bytes().byteSize()).isEqualTo(keptBytes.length);
            assertThat(FakeStore.matches(held.bytes(), held.descriptor())).as("the kept model's bytes are untouched").isTrue();
        }
        assertThat(launcher.requests()).as("no worker was started on a refused model").isEmpty();
        assertThat(refused).isGreaterThan(2000);
        assertThat(loaded).as("the random flips that leave a valid file still load").isGreaterThan(10);
        assertThat(p.stats().cache().entries()).extracting(e -> e.id()).containsExactly(kept);
        assertThat(p.stats().cache().entries().getFirst().pinned()).isTrue();
        System.out.printf("admission over the GGUF corpus: %d refused by preload, get, pin, open and spawn; %d valid flips loaded%n",
                refused, loaded);
    }

    @Test
    void aRealModelTruncatedByOneByteInsideItsTensorDataIsRefused() {
        byte[] real = GgufFixtures.resource("gguf-py-tensors.gguf");
        GgufHeader header = GgufReader.read(MemorySegment.ofArray(real));
        TensorInfo last = header.tensors().getLast();
        int end = Math.toIntExact(header.dataOffset() + last.offset() + last.byteSize());
        ModelFiles.write(models, "whole.gguf", real);
        Path cut = ModelFiles.write(models, "cut.gguf", Arrays.copyOf(real, end - 1));
        byte[] generated = ModelFiles.model(2 * MiB, 3);
        Path generatedCut = ModelFiles.write(models, "generated-cut.gguf", Arrays.copyOf(generated, generated.length - 1));
        ModelPreloader p = preloader(new FolderSource(models), 64 * MiB);

        assertThat(refusal(() -> p.preload(ModelId.of("cut")).join()).getMessage())
                .isEqualTo(inspectWords(cut, Arrays.copyOf(real, end - 1))).contains("'" + last.name() + "'", "ends past the end");
        assertThat(refusal(() -> p.get(ModelId.of("generated-cut"))).getMessage())
                .isEqualTo(inspectWords(generatedCut, Arrays.copyOf(generated, generated.length - 1)));
        assertThat(p.preload(ModelId.of("whole")).join().bytes()).isEqualTo(real.length);
        assertThat(p.usedBytes()).isEqualTo(real.length);
    }

    @Test
    void theCheckedCatalogSaysWhichFilesAreInvalidAndWhy() {
        FakeSource source = new FakeSource();
        ModelId good = source.add("good", 2 * MiB);
        ModelId bad = source.add("bad", 2 * MiB);
        source.corrupt(bad, "not a model".getBytes());
        ModelId gone = source.addUnservable("gone", "/ollama/manifests/gone/latest", "its blob sha256-ab12 is missing");
        ModelPreloader p = preloader(source, 64 * MiB);

        List<CatalogEntry> catalog = p.checkedCatalog();

        assertThat(catalog).extracting(CatalogEntry::id).containsExactly(bad, gone, good);
        assertThat(catalog.get(0).error()).contains("/models/bad.gguf: not a GGUF file: magic is 0x20746f6e, expected \"GGUF\" (at byte 0)");
        assertThat(catalog.get(1).error()).contains("/ollama/manifests/gone/latest: its blob sha256-ab12 is missing");
        assertThat(catalog.get(1).model()).isEmpty();
        assertThat(catalog.get(2).valid()).isTrue();
        assertThat(p.checked(bad)).isEqualTo(Optional.of(catalog.get(0)));
        assertThat(p.checked(ModelId.of("nothing"))).isEmpty();
        // A model the source knows but cannot serve is refused with its reason, not as unknown.
        assertThat(refusal(() -> p.preload(gone).join()).getMessage()).isEqualTo(catalog.get(1).error().orElseThrow());
        assertThatThrownBy(() -> p.preload(ModelId.of("nothing")).join()).hasCauseInstanceOf(UnknownModelException.class);
    }

    @Test
    void aListingOfAHundredModelsReadsEachHeaderOnceAndAReplacedFileAgain() {
        FakeSource source = new FakeSource();
        for (int i = 0; i < 100; i++) {
            source.add("m" + i, MiB + i);
        }
        ModelPreloader p = preloader(source, 64 * MiB);

        assertThat(p.checkedCatalog()).hasSize(100).allMatch(CatalogEntry::valid);
        assertThat(p.checkedCatalog()).hasSize(100);
        p.preload(ModelId.of("m7")).join();
        assertThat(source.headerReads()).as("one read per file version, listings and loads together").isEqualTo(100);

        source.replace(ModelId.of("m7"), 3 * MiB);
        assertThat(p.checkedCatalog()).hasSize(100);
        assertThat(source.headerReads()).isEqualTo(101);
    }

    @Test
    void aDigestMismatchIsRefusedAndFreesWhatWasLoaded() {
        FakeSource source = new FakeSource();
        ModelId a = source.add("a", 3 * MiB);
        source.digest(a, new Sha256("0".repeat(64)));
        ModelPreloader p = preloader(source, 64 * MiB);

        InvalidModelException e = refusal(() -> p.preload(a).join());

        assertThat(e.getMessage()).startsWith("/models/a.gguf: its SHA-256 is " + FakeStore.sha256(source.describe(a)).hex()
                + ", not " + "0".repeat(64));
        assertThat(store.loads(a)).isEqualTo(1);
        assertThat(store.liveRegions()).as("the bytes loaded were freed").isZero();
        assertThat(p.usedBytes()).as("the budget was given back").isZero();
        assertThat(p.stats().cache().entries()).isEmpty();
        assertThat(refusal(() -> p.get(a)).getMessage()).isEqualTo(e.getMessage());
    }

    @Test
    void aVerifiedFileIsNotHashedAgainUntilItChanges() {
        FakeSource source = new FakeSource();
        ModelId a = source.add("a", 3 * MiB);
        source.digest(a, FakeStore.sha256(source.describe(a)));
        ModelPreloader p = preloader(source, 64 * MiB);

        p.preload(a).join();
        p.evict(a);
        p.preload(a).join();
        assertThat(store.loads(a)).isEqualTo(2);
        assertThat(store.hashedLoads(a)).as("hashed on its first load only").isEqualTo(1);

        source.replace(a, 4 * MiB);
        source.digest(a, FakeStore.sha256(source.describe(a)));
        try (Lease lease = p.get(a)) {
            assertThat(lease.bytes().byteSize()).isEqualTo(4 * MiB);
        }
        assertThat(store.hashedLoads(a)).as("a new version is hashed").isEqualTo(2);
    }

    @Test
    void aRefusedPinLeavesNothingPinned() {
        FakeSource source = new FakeSource();
        ModelId bad = source.add("bad", MiB);
        source.corrupt(bad, new byte[]{'G', 'G', 'U', 'F', 9, 0, 0, 0});
        ModelPreloader p = preloader(source, 64 * MiB);

        assertThat(refusal(() -> p.pin(bad).join()).getMessage()).contains("unsupported GGUF version 9", "(at byte 4)");
        assertThat(p.stats().cache().entries()).isEmpty();
        assertThat(new StartupPreload(List.of(bad), 0).start(p).get(bad)).failsWithin(Duration.ofSeconds(10))
                .withThrowableThat().withCauseInstanceOf(InvalidModelException.class);
    }
}
