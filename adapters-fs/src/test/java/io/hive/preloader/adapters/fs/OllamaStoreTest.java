package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
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
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static io.hive.preloader.core.testing.ModelStores.OLLAMA_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Ollama's models folder, as {@code ollama pull} leaves it, served in place from real GGUF files. */
class OllamaStoreTest {
    static final byte[] GPT2 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-gpt-2.gguf"));
    static final byte[] LLAMA = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-llama-spm.gguf"));
    static final byte[] QWEN = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-qwen2.gguf"));

    @TempDir
    Path root;

    /** Somewhere outside the store. */
    @TempDir
    Path elsewhere;

    @Test
    void everyManifestsModelLayerIsAModelNamedAsOllamaListShowsIt() throws Exception {
        Path library = ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "llama3.2", "3b", LLAMA);
        Path namespaced = ModelStores.ollamaModel(root, OLLAMA_HOST, "huihui_ai", "qwen2.5-abliterate", "latest", QWEN);
        Path hf = ModelStores.ollamaModel(root, "hf.co", "bartowski", "Llama-3.2-1B-Instruct-GGUF", "Q4_K_M", GPT2);
        StoreModelSource source = StoreModelSource.ollama(root);

        assertThat(source.list()).extracting(m -> m.id().value()).containsExactly(
                "hf.co+bartowski+Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "huihui_ai+qwen2.5-abliterate:latest", "llama3.2:3b");
        ModelDescriptor llama = source.find(ModelId.of("llama3.2:3b")).orElseThrow();
        assertThat(llama.path()).isEqualTo(library.toRealPath());
        assertThat(llama.size()).isEqualTo(LLAMA.length);
        assertThat(llama.digest()).contains(new Sha256(ModelStores.sha256(LLAMA)));
        assertThat(source.find(ModelId.of("huihui_ai+qwen2.5-abliterate:latest")).orElseThrow().path()).isEqualTo(namespaced.toRealPath());
        assertThat(source.find(ModelId.of("hf.co+bartowski+Llama-3.2-1B-Instruct-GGUF:Q4_K_M")).orElseThrow().path()).isEqualTo(hf.toRealPath());
        assertThat(source.find(ModelId.of("llama3.2:1b"))).isEmpty();
        assertThat(source.find(ModelId.of("llama3.2"))).isEmpty();
        assertThat(source.unservable()).isEmpty();
        try (HeaderBytes header = source.header(llama)) {
            assertThat(GgufReader.read(llama.size(), header::first).kvCount()).isPositive();
        }
    }

    @Test
    void anIdSpellsItsManifestsPathBack() {
        for (OllamaName name : new OllamaName[] {
                new OllamaName(OLLAMA_HOST, "library", "llama3.2", "latest"),
                new OllamaName(OLLAMA_HOST, "mannix", "llama3.1-8b", "q4_0"),
                new OllamaName("hf.co", "bartowski", "Llama-3.2-1B-Instruct-GGUF", "Q4_K_M"),
                new OllamaName("localhost:5000", "team", "tiny", "v1")}) {
            assertThat(OllamaName.parse(name.id())).as(name.id()).contains(name);
            assertThat(name.id()).doesNotContain("/");
        }
        assertThat(OllamaName.parse("no-tag")).isEmpty();
        assertThat(OllamaName.parse("a+b+c+d:tag")).isEmpty();
        assertThat(OllamaName.parse("a+:tag")).isEmpty();
    }

    @Test
    void aManifestWhoseBlobIsMissingIsListedUnservableWithTheReason() throws Exception {
        Path manifest = ModelStores.ollamaManifest(root, OLLAMA_HOST, "library", "gone", "7b", ModelStores.sha256(GPT2), GPT2.length);
        ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "here", "1b", LLAMA);
        StoreModelSource source = StoreModelSource.ollama(root);

        assertThat(source.list()).extracting(m -> m.id().value()).containsExactly("here:1b");
        assertThat(source.find(ModelId.of("gone:7b"))).isEmpty();
        UnservableModel gone = source.unservable(ModelId.of("gone:7b")).orElseThrow();
        assertThat(gone.file()).isEqualTo(manifest.toString());
        assertThat(gone.problem()).isEqualTo("names the blob " + root.toRealPath() + "/blobs/sha256-" + ModelStores.sha256(GPT2) + ", which is missing");
        assertThat(source.unservable()).containsExactly(gone);
    }

    @Test
    void aBlobOfAnotherSizeThanItsLayerIsUnservable() throws Exception {
        Path blob = ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "cut", "1b", GPT2);
        Files.write(blob, java.util.Arrays.copyOf(GPT2, GPT2.length - 100));

        UnservableModel cut = StoreModelSource.ollama(root).unservable(ModelId.of("cut:1b")).orElseThrow();

        assertThat(cut.problem()).isEqualTo("its model layer is " + GPT2.length + " bytes, but the blob " + blob.toRealPath() + " is "
                + (GPT2.length - 100) + " (a download cut short, or another file)");
    }

    @Test
    void aBlobLinkedInsideTheBlobsFolderIsFollowedAndOneLeavingItIsRefused() throws Exception {
        Path blob = ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "inside", "1b", GPT2);
        Path kept = Files.move(blob, blob.resolveSibling("kept-" + blob.getFileName()));
        Files.createSymbolicLink(blob, kept.getFileName());
        Path outsideBlob = ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "outside", "1b", LLAMA);
        Path moved = Files.move(outsideBlob, elsewhere.resolve("llama.gguf"));
        Files.createSymbolicLink(outsideBlob, moved);
        StoreModelSource source = StoreModelSource.ollama(root);

        ModelDescriptor inside = source.find(ModelId.of("inside:1b")).orElseThrow();
        assertThat(inside.path()).isEqualTo(kept.toRealPath());
        assertThat(inside.fingerprint()).isEqualTo(ModelFiles.fingerprint(kept));
        assertThat(source.find(ModelId.of("outside:1b"))).isEmpty();
        assertThat(source.unservable(ModelId.of("outside:1b")).orElseThrow().problem()).isEqualTo("resolves to " + moved.toRealPath()
                + ", outside " + root.toRealPath().resolve("blobs") + "; a link that leaves the store is not followed");
        assertThatThrownBy(() -> source.header(ModelFiles.describe(moved.toRealPath()))).isInstanceOf(StoreException.class)
                .hasMessageContaining("is not a blob of the store");
    }

    @Test
    void aFolderThatIsNotAnOllamaStoreIsRefusedInOneLine() throws Exception {
        Path dotOllama = Files.createDirectories(root.resolve(".ollama"));
        Files.createDirectories(dotOllama.resolve("models/manifests"));
        Files.createDirectories(dotOllama.resolve("models/blobs"));
        Files.writeString(dotOllama.resolve("history"), "");

        assertThatThrownBy(() -> StoreModelSource.ollama(dotOllama)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ollama: " + dotOllama + " is not an Ollama models folder: it has no manifests folder (Ollama keeps "
                        + "its models in ~/.ollama/models, or $OLLAMA_MODELS); did you mean " + dotOllama.toRealPath().resolve("models") + "?");
        assertThatThrownBy(() -> StoreModelSource.ollama(root.resolve("missing"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("ollama: " + root.resolve("missing") + " does not exist");
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertThat(StoreModelSource.ollama(empty).list()).isEmpty();
        assertThat(StoreModelSource.ollama(dotOllama.resolve("models")).list()).isEmpty();
    }

    @Test
    void aTagMovedToAnotherBlobIsNoLongerCurrentAndAnUntouchedOneIs() throws Exception {
        ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "llama3.2", "latest", GPT2);
        StoreModelSource source = StoreModelSource.ollama(root);
        ModelDescriptor before = source.find(ModelId.of("llama3.2:latest")).orElseThrow();
        assertThat(source.isCurrent(before)).isTrue();

        Path newBlob = ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "llama3.2", "latest", LLAMA);

        assertThat(source.isCurrent(before)).isFalse();
        ModelDescriptor after = source.find(ModelId.of("llama3.2:latest")).orElseThrow();
        assertThat(after.path()).isEqualTo(newBlob.toRealPath());
        assertThat(source.isCurrent(after)).isTrue();
    }

    @Test
    void aModelPulledIntoANewFolderOfTheStoreIsToldToTheWatch() throws Exception {
        ModelStores.ollamaModel(root, OLLAMA_HOST, "library", "first", "1b", GPT2);
        StoreModelSource source = StoreModelSource.ollama(root);
        Semaphore changes = new Semaphore(0);
        try (ModelSource.Watch watch = source.watch(changes::release)) {
            Files.writeString(root.resolve("blobs/sha256-" + "a".repeat(64) + "-partial"), "partial download");
            assertThat(changes.tryAcquire(300, TimeUnit.MILLISECONDS)).as("a partial download is no change").isFalse();

            ModelStores.ollamaModel(root, "hf.co", "unsloth", "Qwen3-0.6B-GGUF", "Q8_0", LLAMA);

            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(source.list()).extracting(m -> m.id().value()).contains("hf.co+unsloth+Qwen3-0.6B-GGUF:Q8_0");
    }

    @Test
    void aManifestThatIsNotOneIsUnservableWithWhy() throws Exception {
        Path manifest = ModelStores.ollamaManifest(root, OLLAMA_HOST, "library", "broken", "1b", ModelStores.sha256(GPT2), GPT2.length);
        Files.writeString(manifest, "{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"application/vnd.ollama.image.template\"}]}");
        Path junk = ModelStores.ollamaManifest(root, OLLAMA_HOST, "library", "junk", "1b", ModelStores.sha256(GPT2), GPT2.length);
        Files.writeString(junk, "not json");
        StoreModelSource source = StoreModelSource.ollama(root);

        assertThat(source.unservable()).extracting(UnservableModel::id, UnservableModel::problem).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ModelId.of("broken:1b"), "has no layer of media type application/vnd.ollama.image.model, so no GGUF model"),
                org.assertj.core.groups.Tuple.tuple(ModelId.of("junk:1b"), "is not an Ollama manifest (JSON): Unrecognized token 'not': was expecting "
                        + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"));
        assertThat(source.find(ModelId.of("broken:1b"))).isEqualTo(Optional.empty());
    }
}
