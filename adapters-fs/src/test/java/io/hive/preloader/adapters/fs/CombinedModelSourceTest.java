package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.GgufFixtures;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.ModelStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.hive.preloader.core.testing.ModelStores.OLLAMA_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A models folder, an Ollama store and a hub cache served as one, the first that knows an id answering for it. */
class CombinedModelSourceTest {
    static final byte[] GPT2 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-gpt-2.gguf"));
    static final byte[] LLAMA = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-llama-spm.gguf"));
    static final byte[] PHI3 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-phi-3.gguf"));
    static final String MAIN = "5f0b02c75b57c5855da9ae460ce51323ea669d8a";

    @TempDir
    Path dir;

    private CombinedModelSource source() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        ModelFiles.write(models, "phi3.gguf", PHI3);
        ModelFiles.write(models, "llama3.2:1b.gguf", PHI3); // the same id as Ollama's below: the folder's wins
        Path ollama = dir.resolve("ollama");
        ModelStores.ollamaModel(ollama, OLLAMA_HOST, "library", "llama3.2", "1b", LLAMA);
        ModelStores.ollamaModel(ollama, OLLAMA_HOST, "library", "llama3.2", "3b", LLAMA);
        ModelStores.ollamaManifest(ollama, OLLAMA_HOST, "library", "missing", "1b", "0".repeat(64), 10);
        ModelStores.hubFile(dir.resolve("hub"), "openai-community", "gpt2-GGUF", MAIN, "gpt2.gguf", GPT2);
        return new CombinedModelSource(List.of(new FolderModelSource(models), StoreModelSource.ollama(ollama),
                StoreModelSource.huggingFace(dir.resolve("hub"))));
    }

    @Test
    void listsEverySourcesModelsSortedAndTheFirstSourceOfAnIdWins() throws Exception {
        CombinedModelSource source = source();

        assertThat(source.list()).extracting(m -> m.id().value()).containsExactly("llama3.2:1b", "llama3.2:3b", "openai-community+gpt2-GGUF+gpt2", "phi3");
        assertThat(source.find(ModelId.of("llama3.2:1b")).orElseThrow().path()).isEqualTo(dir.resolve("models/llama3.2:1b.gguf").toRealPath());
        assertThat(source.find(ModelId.of("llama3.2:3b")).orElseThrow().path().getParent()).isEqualTo(dir.resolve("ollama/blobs").toRealPath());
        assertThat(source.unservable()).extracting(UnservableModel::id).containsExactly(ModelId.of("missing:1b"));
        assertThat(source.unservable(ModelId.of("missing:1b"))).isPresent();
        assertThat(source.find(ModelId.of("missing:1b"))).isEmpty();
        assertThat(source.unservable(ModelId.of("phi3"))).isEmpty();
    }

    @Test
    void eachModelsHeaderAndHitCheckAreItsOwnSources() throws Exception {
        CombinedModelSource source = source();
        ModelDescriptor hub = source.find(ModelId.of("openai-community+gpt2-GGUF+gpt2")).orElseThrow();
        ModelDescriptor folder = source.find(ModelId.of("phi3")).orElseThrow();

        try (HeaderBytes header = source.header(hub)) {
            assertThat(header.first(4).asSlice(0, 4).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo("GGUF".getBytes());
        }
        assertThat(source.isCurrent(hub)).isTrue();
        assertThat(source.isCurrent(folder)).isTrue();
        ModelFiles.replace(hub.path(), LLAMA);
        assertThat(source.isCurrent(hub)).isFalse();
        assertThat(source.isCurrent(folder)).isTrue();
        ModelDescriptor stranger = ModelFiles.describe(ModelFiles.write(dir, "stranger.gguf", GPT2));
        assertThatThrownBy(() -> source.header(stranger)).isInstanceOf(StoreException.class).hasMessageContaining("no model source");
    }

    @Test
    void aChangeInAnyOfTheSourcesIsToldToTheWatch() throws Exception {
        CombinedModelSource source = source();
        Semaphore changes = new Semaphore(0);
        try (ModelSource.Watch watch = source.watch(changes::release)) {
            ModelStores.hubMain(dir.resolve("hub"), "openai-community", "gpt2-GGUF", "1".repeat(40));
            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aTreeWatchSeesFilesInFoldersMadeAfterItStarted() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tree"));
        Semaphore changes = new Semaphore(0);
        try (ModelSource.Watch watch = FolderWatch.tree(root, name -> true, changes::release)) {
            Path deep = Files.createDirectories(root.resolve("manifests/hf.co/org"));
            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(300); // let the new folders' own events drain
            changes.drainPermits();

            Files.writeString(deep.resolve("tag"), "{}");

            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).as("a file written in a folder made after the watch began").isTrue();
        }
    }
}
