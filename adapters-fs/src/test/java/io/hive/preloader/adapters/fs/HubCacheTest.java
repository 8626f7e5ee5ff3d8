package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.testing.GgufFixtures;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.core.testing.ModelStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Hugging Face hub cache, as {@code hf_hub_download} leaves it, served in place from real GGUF files. */
class HubCacheTest {
    static final byte[] GPT2 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-gpt-2.gguf"));
    static final byte[] LLAMA = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-llama-spm.gguf"));
    static final byte[] PHI3 = GgufFixtures.bytes(GgufFixtures.file("ggml-vocab-phi-3.gguf"));
    static final String MAIN = "5f0b02c75b57c5855da9ae460ce51323ea669d8a";
    static final String OLD = "0123456789abcdef0123456789abcdef01234567";
    static final String NEXT = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir
    Path cache;

    @TempDir
    Path elsewhere;

    @Test
    void everyGgufOfTheRevisionRefsMainNamesIsAModelNamedOrgRepoFile() throws Exception {
        Path q4 = ModelStores.hubFile(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF", MAIN, "Llama-3.2-1B-Instruct-Q4_K_M.gguf", GPT2);
        Path nested = ModelStores.hubFile(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF", MAIN, "Q8/Llama-3.2-1B-Instruct-Q8_0.gguf", LLAMA);
        ModelStores.hubFile(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF", MAIN, "README.md", "# a model card".getBytes(StandardCharsets.UTF_8));
        // An older snapshot still in the cache: not what refs/main names.
        ModelStores.hubFile(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF", OLD, "Old-Q4_K_M.gguf", PHI3);
        ModelStores.hubMain(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF", MAIN);
        StoreModelSource source = StoreModelSource.huggingFace(cache);

        assertThat(source.list()).extracting(m -> m.id().value()).contains(
                "bartowski+Llama-3.2-1B-Instruct-GGUF+Llama-3.2-1B-Instruct-Q4_K_M",
                "bartowski+Llama-3.2-1B-Instruct-GGUF+Q8+Llama-3.2-1B-Instruct-Q8_0").noneMatch(id -> id.contains("Old"));
        ModelDescriptor model = source.find(ModelId.of("bartowski+Llama-3.2-1B-Instruct-GGUF+Llama-3.2-1B-Instruct-Q4_K_M")).orElseThrow();
        Path blob = ModelStores.hubRepo(cache, "bartowski", "Llama-3.2-1B-Instruct-GGUF").resolve("blobs").resolve(ModelStores.sha256(GPT2));
        assertThat(Files.readSymbolicLink(q4)).isEqualTo(Path.of("../../blobs/" + ModelStores.sha256(GPT2)));
        assertThat(Files.readSymbolicLink(nested)).isEqualTo(Path.of("../../../blobs/" + ModelStores.sha256(LLAMA)));
        assertThat(model.path()).isEqualTo(blob.toRealPath());
        assertThat(model.fingerprint()).isEqualTo(ModelFiles.fingerprint(blob));
        assertThat(model.digest()).contains(new Sha256(ModelStores.sha256(GPT2)));
        assertThat(source.find(ModelId.of("bartowski+Llama-3.2-1B-Instruct-GGUF+Q8+Llama-3.2-1B-Instruct-Q8_0"))).isPresent();
        assertThat(source.find(ModelId.of("bartowski+Llama-3.2-1B-Instruct-GGUF+Old-Q4_K_M"))).isEmpty();
        assertThat(source.unservable()).isEmpty();
    }

    @Test
    void aRepositoryWithoutAnOrgIsNamedRepoFile() throws Exception {
        ModelStores.hubFile(cache, "x", "y", MAIN, "a.gguf", GPT2);
        Path repo = Files.move(ModelStores.hubRepo(cache, "x", "y"), cache.resolve("models--tinyllama"));

        StoreModelSource source = StoreModelSource.huggingFace(cache);

        assertThat(source.find(ModelId.of("tinyllama+a")).orElseThrow().path()).isEqualTo(repo.resolve("blobs").resolve(ModelStores.sha256(GPT2)).toRealPath());
    }

    @Test
    void aLinkLeavingTheRepositorysBlobsIsRefusedAndADanglingOneIsUnservable() throws Exception {
        Path outside = ModelFiles.write(elsewhere, "stolen.gguf", LLAMA);
        Path link = ModelStores.hubFile(cache, "org", "repo", MAIN, "good.gguf", GPT2).resolveSibling("stolen.gguf");
        Files.createSymbolicLink(link, outside);
        Path traversal = link.resolveSibling("traversal.gguf");
        Files.createSymbolicLink(traversal, Path.of("../../../../" + elsewhere.getFileName() + "/../" + cache.getFileName()
                + "/models--org--repo/refs/main"));
        Path dangling = ModelStores.hubLink(link.resolveSibling("dangling.gguf"), ModelStores.hubRepo(cache, "org", "repo").resolve("blobs/" + "e".repeat(64)));
        StoreModelSource source = StoreModelSource.huggingFace(cache);

        assertThat(source.list()).extracting(m -> m.id().value()).containsExactly("org+repo+good");
        Path blobs = ModelStores.hubRepo(cache, "org", "repo").toRealPath().resolve("blobs");
        assertThat(source.unservable(ModelId.of("org+repo+stolen")).orElseThrow()).isEqualTo(new UnservableModel(ModelId.of("org+repo+stolen"),
                link.toString(), "resolves to " + outside.toRealPath() + ", outside " + blobs + "; a link that leaves the store is not followed"));
        assertThat(source.unservable(ModelId.of("org+repo+traversal")).orElseThrow().problem()).startsWith("resolves to ")
                .endsWith("refs/main, outside " + blobs + "; a link that leaves the store is not followed");
        assertThat(source.unservable(ModelId.of("org+repo+dangling")).orElseThrow()).isEqualTo(new UnservableModel(ModelId.of("org+repo+dangling"),
                dangling.toString(), "links to ../../blobs/" + "e".repeat(64) + ", which is missing"));
        assertThat(source.find(ModelId.of("org+repo+stolen"))).isEmpty();
    }

    @Test
    void aModelSplitInPartsIsOneIdRefusedWithWhy() throws Exception {
        for (int part = 1; part <= 3; part++) {
            byte[] bytes = part == 1 ? GPT2 : ModelFiles.randomBytes(4096, part);
            ModelStores.hubFile(cache, "unsloth", "Big-GGUF", MAIN, String.format("Q4/Big-Q4_K_M-%05d-of-00003.gguf", part), bytes);
        }
        StoreModelSource source = StoreModelSource.huggingFace(cache);

        assertThat(source.list()).isEmpty();
        UnservableModel split = source.unservable(ModelId.of("unsloth+Big-GGUF+Q4+Big-Q4_K_M")).orElseThrow();
        assertThat(source.unservable()).containsExactly(split);
        assertThat(split.file()).endsWith("snapshots/" + MAIN + "/Q4/Big-Q4_K_M-00001-of-00003.gguf");
        assertThat(split.problem()).isEqualTo("is part of a GGUF model split in 3 files, which the preloader does not serve (one file per "
                + "model): merge the parts with 'llama-gguf-split --merge' into a models folder");
    }

    @Test
    void aNewRevisionInRefsMainIsFollowed() throws Exception {
        ModelStores.hubFile(cache, "Qwen", "Qwen2-0.5B-Instruct-GGUF", MAIN, "qwen2-0_5b-instruct-q8_0.gguf", GPT2);
        ModelId id = ModelId.of("Qwen+Qwen2-0.5B-Instruct-GGUF+qwen2-0_5b-instruct-q8_0");
        StoreModelSource source = StoreModelSource.huggingFace(cache);
        ModelDescriptor before = source.find(id).orElseThrow();
        assertThat(source.isCurrent(before)).isTrue();
        Semaphore changes = new Semaphore(0);
        try (ModelSource.Watch watch = source.watch(changes::release)) {
            // As the hub downloads: the blob (first as .incomplete), the new snapshot's link, then refs/main.
            Path repo = ModelStores.hubRepo(cache, "Qwen", "Qwen2-0.5B-Instruct-GGUF");
            Files.write(repo.resolve("blobs").resolve(ModelStores.sha256(LLAMA) + ".incomplete"), LLAMA);
            assertThat(changes.tryAcquire(300, TimeUnit.MILLISECONDS)).as("a download in progress is no change").isFalse();
            Files.move(repo.resolve("blobs").resolve(ModelStores.sha256(LLAMA) + ".incomplete"), repo.resolve("blobs").resolve(ModelStores.sha256(LLAMA)));
            ModelStores.hubFile(cache, "Qwen", "Qwen2-0.5B-Instruct-GGUF", NEXT, "qwen2-0_5b-instruct-q8_0.gguf", LLAMA);

            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(source.isCurrent(before)).isFalse();
        ModelDescriptor after = source.find(id).orElseThrow();
        assertThat(after.path().getFileName().toString()).isEqualTo(ModelStores.sha256(LLAMA));
        assertThat(after.digest()).contains(new Sha256(ModelStores.sha256(LLAMA)));
        assertThat(source.isCurrent(after)).isTrue();
    }

    @Test
    void aFolderThatIsNotAHubCacheIsRefusedInOneLine() throws Exception {
        Path huggingface = Files.createDirectories(cache.resolve("huggingface"));
        ModelStores.hubFile(huggingface.resolve("hub"), "org", "repo", MAIN, "m.gguf", GPT2);
        Files.writeString(huggingface.resolve("token"), "hf_not_a_real_token");

        assertThatThrownBy(() -> StoreModelSource.huggingFace(huggingface)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("huggingface: " + huggingface + " is not a Hugging Face hub cache: it holds no models--ORG--REPO folder (the "
                        + "hub keeps them in ~/.cache/huggingface/hub, or $HF_HUB_CACHE); did you mean " + huggingface.toRealPath().resolve("hub") + "?");
        Path file = Files.writeString(cache.resolve("file"), "x");
        assertThatThrownBy(() -> StoreModelSource.huggingFace(file)).hasMessage("huggingface: " + file + " is not a directory");
        assertThat(StoreModelSource.huggingFace(huggingface.resolve("hub")).list()).hasSize(1);
    }
}
