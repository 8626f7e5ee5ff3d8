package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.model.UnservableModel;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a models folder tells about its models besides where they are: their first bytes, their digests, and changes. */
class FolderModelSourceIntegrityTest {
    static final long MiB = 1 << 20;

    @TempDir
    Path models;

    static Sha256 sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return Sha256.of(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void aSidecarAsSha256sumWritesItGivesTheModelsDigest() throws Exception {
        byte[] model = ModelFiles.model(MiB, 1);
        ModelFiles.write(models, "llama.gguf", model);
        Files.writeString(models.resolve("llama.gguf.sha256"), sha256(model).hex() + "  llama.gguf\n");
        ModelFiles.write(models, "plain.gguf", ModelFiles.model(MiB, 2));
        FolderModelSource source = new FolderModelSource(models);

        assertThat(source.find(ModelId.of("llama"))).map(ModelDescriptor::digest).contains(Optional.of(sha256(model)));
        assertThat(source.find(ModelId.of("plain"))).map(ModelDescriptor::digest).contains(Optional.empty());
        assertThat(source.list()).extracting(ModelDescriptor::digest).containsExactly(Optional.of(sha256(model)), Optional.empty());
    }

    @Test
    void aSidecarOfSeveralFilesGivesTheLineOfThisOne() throws Exception {
        byte[] model = ModelFiles.model(MiB, 3);
        ModelFiles.write(models, "b.gguf", model);
        Files.writeString(models.resolve("b.gguf.sha256"), "a".repeat(64) + " *a.gguf\n" + sha256(model).hex() + " *./b.gguf\n");

        assertThat(new FolderModelSource(models).find(ModelId.of("b")).orElseThrow().digest()).contains(sha256(model));
    }

    @Test
    void aFileNamedLikeAnOllamaBlobCarriesItsDigestInItsName() throws Exception {
        byte[] model = ModelFiles.model(MiB, 4);
        Path blobs = Files.createDirectories(models.resolve("blobs"));
        ModelFiles.write(blobs, "sha256-" + sha256(model).hex(), model);
        FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("qwen"), Path.of("blobs/sha256-" + sha256(model).hex())));

        assertThat(source.find(ModelId.of("qwen")).orElseThrow().digest()).contains(sha256(model));
    }

    @Test
    void aConfiguredDigestWinsOverTheSidecar() {
        ModelFiles.write(models, "m.gguf", ModelFiles.model(MiB, 5));
        ModelFiles.write(models, "m.gguf.sha256", ("b".repeat(64) + "  m.gguf\n").getBytes());
        Sha256 configured = new Sha256("c".repeat(64));
        FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), Path.of("m.gguf")),
                Map.of(ModelId.of("chat"), configured));

        assertThat(source.find(ModelId.of("chat")).orElseThrow().digest()).contains(configured);
        assertThat(source.find(ModelId.of("m")).orElseThrow().digest()).contains(new Sha256("b".repeat(64)));
    }

    @Test
    void aSidecarThatIsNoDigestMakesTheModelUnservableWithTheReason() throws IOException {
        ModelFiles.write(models, "m.gguf", ModelFiles.model(MiB, 6));
        Path sidecar = models.resolve("m.gguf.sha256");
        Files.writeString(sidecar, "not a digest\n");
        FolderModelSource source = new FolderModelSource(models);

        assertThat(source.find(ModelId.of("m"))).isEmpty();
        assertThat(source.list()).isEmpty();
        assertThat(source.unservable()).singleElement().satisfies(u -> {
            assertThat(u.id()).isEqualTo(ModelId.of("m"));
            assertThat(u.file()).isEqualTo(sidecar.toRealPath().toString());
            assertThat(u.problem()).contains("is not a SHA-256 for m.gguf as sha256sum writes it");
        });
        assertThat(source.unservable(ModelId.of("m"))).map(UnservableModel::id).contains(ModelId.of("m"));

        Files.delete(sidecar);
        assertThat(source.unservable()).isEmpty();
        assertThat(source.find(ModelId.of("m"))).isPresent();
    }

    @Test
    void theHeaderIsTheFilesFirstBytesOfTheVersionDescribed() throws IOException {
        byte[] model = ModelFiles.model(4 * MiB, 7);
        Path file = ModelFiles.write(models, "m.gguf", model);
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor described = source.find(ModelId.of("m")).orElseThrow();

        try (HeaderBytes header = source.header(described)) {
            assertThat(GgufReader.read(described.size(), header::first).tensorCount()).isEqualTo(1);
            assertThat(header.first(100).asSlice(0, 100).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                    .isEqualTo(java.util.Arrays.copyOf(model, 100));
        }

        ModelFiles.replace(file, ModelFiles.model(2 * MiB, 8));
        assertThatThrownBy(() -> source.header(described)).isInstanceOf(ModelChangedException.class).hasMessageContaining(file.toRealPath().toString());
        ModelDescriptor elsewhere = new ModelDescriptor(ModelId.of("x"), Path.of("/etc/passwd"), described.fingerprint());
        assertThatThrownBy(() -> source.header(elsewhere)).isInstanceOf(StoreException.class).hasMessageContaining("outside the models folders");
    }

    /**
     * Takes the changes told until none comes for a while: one write can be told in two wake-ups (its create, then its
     * modify), and the second must not be taken for news of the next file.
     */
    private static void settle(Semaphore changes) throws InterruptedException {
        while (changes.tryAcquire(300, TimeUnit.MILLISECONDS)) {
            changes.drainPermits();
        }
    }

    @Test
    void aModelRenamedOverAnotherOrItsSidecarWrittenIsToldByTheWatch() throws Exception {
        Path file = ModelFiles.write(models, "m.gguf", ModelFiles.model(MiB, 9));
        FolderModelSource source = new FolderModelSource(models);
        Semaphore changes = new Semaphore(0);
        try (ModelSource.Watch watch = source.watch(changes::release)) {
            ModelFiles.replace(file, ModelFiles.model(MiB, 10));
            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).as("told of a model renamed over the old one").isTrue();
            settle(changes);

            Files.writeString(models.resolve("m.gguf.sha256"), "d".repeat(64) + "  m.gguf\n");
            assertThat(changes.tryAcquire(10, TimeUnit.SECONDS)).as("told of a sidecar written").isTrue();
            settle(changes);

            Files.writeString(models.resolve("notes.txt"), "not a model");
            assertThat(changes.tryAcquire(500, TimeUnit.MILLISECONDS)).as("not told of other files").isFalse();
        }
        Files.delete(file);
        assertThat(changes.tryAcquire(500, TimeUnit.MILLISECONDS)).as("nothing told once the watch is closed").isFalse();
    }
}
