package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FolderModelSourceTest {
    @TempDir
    Path root;
    Path models;
    Path outside;

    @BeforeEach
    void folders() throws IOException {
        models = Files.createDirectory(root.resolve("models"));
        outside = Files.createDirectory(root.resolve("elsewhere"));
    }

    private static Path model(Path folder, String name, int size) {
        return ModelFiles.write(folder, name, ModelFiles.randomBytes(size, size));
    }

    private static List<String> ids(FolderModelSource source) {
        return source.list().stream().map(m -> m.id().value()).toList();
    }

    private static Path real(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Nested
    class Ids {
        @Test
        void aModelsIdIsItsFileNameWithoutGgufAndTheListIsSortedById() {
            model(models, "qwen2.5-7b-q4_k_m.gguf", 10);
            model(models, "llama-3-8b.gguf", 11);
            model(models, "Mistral:7b+v0.3.gguf", 12);

            assertThat(ids(new FolderModelSource(models))).containsExactly("Mistral:7b+v0.3", "llama-3-8b", "qwen2.5-7b-q4_k_m");
        }

        @Test
        void findDescribesTheModelWithItsRealPathAndCurrentFingerprint() throws IOException {
            Path file = model(models, "llama.gguf", 4096);

            Optional<ModelDescriptor> found = new FolderModelSource(models).find(ModelId.of("llama"));

            assertThat(found).hasValueSatisfying(m -> {
                assertThat(m.id()).isEqualTo(ModelId.of("llama"));
                assertThat(m.path()).isEqualTo(real(file));
                assertThat(m.size()).isEqualTo(4096);
                assertThat(m.fingerprint()).isEqualTo(ModelFiles.fingerprint(file));
            });
        }

        @Test
        void listAndFindDescribeAModelAlike() {
            model(models, "a.gguf", 1);
            model(models, "b.gguf", 2);
            FolderModelSource source = new FolderModelSource(models);

            assertThat(source.list()).hasSize(2).allSatisfy(m -> assertThat(source.find(m.id())).contains(m));
        }

        @Test
        void anUnknownIdIsEmpty() {
            assertThat(new FolderModelSource(models).find(ModelId.of("nothing"))).isEmpty();
        }

        @Test
        void filesThatAreNotGgufAreIgnored() throws IOException {
            model(models, "real.gguf", 1);
            model(models, "readme.txt", 1);
            model(models, "half-copied.gguf.tmp", 1);
            model(models, "SHOUTING.GGUF", 1);
            model(models, "gguf", 1);
            Files.createDirectory(models.resolve("folder.gguf"));
            FolderModelSource source = new FolderModelSource(models);

            assertThat(ids(source)).containsExactly("real");
            assertThat(source.find(ModelId.of("folder"))).as("a folder named like a model").isEmpty();
            assertThat(source.find(ModelId.of("SHOUTING"))).isEmpty();
        }

        @Test
        void filesWhoseNamesAreNotModelIdsAreSkippedWithOneWarningEach() {
            model(models, "good.gguf", 1);
            model(models, ".hidden.gguf", 1);
            model(models, "with space.gguf", 1);
            model(models, "a..b.gguf", 1);
            model(models, ".gguf", 1);
            FolderModelSource source = new FolderModelSource(models);

            try (CapturedWarnings warnings = CapturedWarnings.of(FolderModelSource.class)) {
                assertThat(ids(source)).containsExactly("good");
                assertThat(ids(source)).containsExactly("good");

                assertThat(warnings.messages()).as("once per file, not once per list()").hasSize(4)
                        .anySatisfy(m -> assertThat(m).contains("with space.gguf"));
            }
        }

        @Test
        void eachCallLooksAtTheFolderAgain() throws IOException {
            FolderModelSource source = new FolderModelSource(models);
            assertThat(source.find(ModelId.of("late"))).isEmpty();

            Path file = model(models, "late.gguf", 3);
            assertThat(source.find(ModelId.of("late"))).isPresent();
            assertThat(ids(source)).containsExactly("late");

            Files.delete(file);
            assertThat(source.find(ModelId.of("late"))).isEmpty();
            assertThat(source.list()).isEmpty();
        }

        @Test
        void theListCannotBeChangedByItsReader() {
            model(models, "a.gguf", 1);

            assertThatThrownBy(() -> new FolderModelSource(models).list().clear()).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Nested
    class Folders {
        @Test
        void modelsOfEveryFolderAreListedAndTheFirstFolderWinsASharedId() throws IOException {
            Path second = Files.createDirectory(root.resolve("second"));
            Path first = model(models, "shared.gguf", 1);
            model(models, "only-first.gguf", 2);
            model(second, "shared.gguf", 3);
            model(second, "only-second.gguf", 4);

            FolderModelSource source = new FolderModelSource(List.of(models, second), Map.of());

            assertThat(ids(source)).containsExactly("only-first", "only-second", "shared");
            assertThat(source.find(ModelId.of("shared"))).map(ModelDescriptor::path).contains(real(first));
            assertThat(source.list()).filteredOn(m -> m.id().value().equals("shared")).map(ModelDescriptor::path).containsExactly(real(first));
        }

        @Test
        void aFolderThatDoesNotExistIsRefusedByName() {
            Path missing = root.resolve("no-such-folder");

            assertThatThrownBy(() -> new FolderModelSource(List.of(models, missing), Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(missing.toString());
        }

        @Test
        void aFileGivenAsFolderIsRefusedByName() {
            Path file = model(models, "m.gguf", 1);

            assertThatThrownBy(() -> new FolderModelSource(file))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("not a directory");
        }

        @Test
        void noFolderAtAllIsRefused() {
            assertThatThrownBy(() -> new FolderModelSource(List.of(), Map.of())).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aModelsFolderReachedThroughASymlinkServesItsFiles() throws IOException {
            Path file = model(models, "m.gguf", 5);
            Path link = Files.createSymbolicLink(root.resolve("models-link"), models);

            FolderModelSource source = new FolderModelSource(link);

            assertThat(source.find(ModelId.of("m"))).map(ModelDescriptor::path).contains(real(file));
        }

        @Test
        void aFolderRemovedAfterStartListsAsEmptyWithAWarningAndOthersStillServe() throws IOException {
            Path gone = Files.createDirectory(root.resolve("gone"));
            model(models, "kept.gguf", 1);
            FolderModelSource source = new FolderModelSource(List.of(gone, models), Map.of());
            Files.delete(gone);

            try (CapturedWarnings warnings = CapturedWarnings.of(FolderModelSource.class)) {
                assertThat(ids(source)).containsExactly("kept");
                assertThat(warnings.messages()).singleElement().asString().contains(gone.getFileName().toString());
            }
            assertThat(source.find(ModelId.of("kept"))).isPresent();
        }
    }

    @Nested
    class Symlinks {
        @Test
        void aSymlinkInsideTheFolderIsServedAsItsTargetUnderTheLinksId() throws IOException {
            Path target = model(models, "llama-3-8b-v2.gguf", 7);
            Files.createSymbolicLink(models.resolve("llama.gguf"), Path.of("llama-3-8b-v2.gguf"));
            FolderModelSource source = new FolderModelSource(models);

            Optional<ModelDescriptor> found = source.find(ModelId.of("llama"));

            assertThat(found).hasValueSatisfying(m -> {
                assertThat(m.path()).isEqualTo(real(target));
                assertThat(m.fingerprint()).isEqualTo(ModelFiles.fingerprint(target));
            });
            assertThat(ids(source)).containsExactly("llama", "llama-3-8b-v2");
        }

        @Test
        void aSymlinkLeavingTheFolderIsNotServedAndIsWarnedAboutOnce() throws IOException {
            Path secret = model(outside, "secret.gguf", 9);
            Path link = Files.createSymbolicLink(models.resolve("sneaky.gguf"), secret);
            FolderModelSource source = new FolderModelSource(models);

            try (CapturedWarnings warnings = CapturedWarnings.of(FolderModelSource.class)) {
                assertThat(source.find(ModelId.of("sneaky"))).isEmpty();
                assertThat(source.list()).isEmpty();
                assertThat(source.find(ModelId.of("sneaky"))).isEmpty();

                assertThat(warnings.messages()).singleElement().asString()
                        .contains("sneaky", link.getFileName().toString(), real(secret).toString());
            }
        }

        @Test
        void aSymlinkWithDotDotThatLeavesTheFolderIsNotServed() throws IOException {
            model(outside, "secret.gguf", 9);
            Files.createSymbolicLink(models.resolve("up.gguf"), Path.of("../elsewhere/secret.gguf"));

            assertThat(new FolderModelSource(models).find(ModelId.of("up"))).isEmpty();
        }

        @Test
        void aSymlinkToASiblingFolderWithASimilarNameIsNotServed() throws IOException {
            Path lookalike = Files.createDirectory(root.resolve("models2"));
            model(lookalike, "x.gguf", 1);
            Files.createSymbolicLink(models.resolve("x.gguf"), lookalike.resolve("x.gguf"));

            assertThat(new FolderModelSource(models).find(ModelId.of("x"))).as("/models2 is not inside /models").isEmpty();
        }

        @Test
        void aSymlinkIntoAnotherModelsFolderIsNotServedFromThisOne() throws IOException {
            Path second = Files.createDirectory(root.resolve("second"));
            model(second, "b.gguf", 1);
            Files.createSymbolicLink(models.resolve("a.gguf"), second.resolve("b.gguf"));

            FolderModelSource source = new FolderModelSource(List.of(models, second), Map.of());

            assertThat(source.find(ModelId.of("a"))).as("each folder's files stay in that folder; use an alias").isEmpty();
            assertThat(ids(source)).containsExactly("b");
        }

        @Test
        void aDanglingSymlinkIsAbsent() throws IOException {
            Files.createSymbolicLink(models.resolve("dangling.gguf"), models.resolve("deleted.gguf"));
            FolderModelSource source = new FolderModelSource(models);

            assertThat(source.find(ModelId.of("dangling"))).isEmpty();
            assertThat(source.list()).isEmpty();
        }
    }

    @Nested
    class Aliases {
        @Test
        void anAliasIsListedAndFoundUnderItsOwnId() throws IOException {
            Path file = model(models, "llama-3-8b-instruct-q4_k_m.gguf", 8);
            FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), file));

            assertThat(source.find(ModelId.of("chat"))).hasValueSatisfying(m -> {
                assertThat(m.id()).isEqualTo(ModelId.of("chat"));
                assertThat(m.path()).isEqualTo(real(file));
            });
            assertThat(ids(source)).containsExactly("chat", "llama-3-8b-instruct-q4_k_m");
        }

        @Test
        void aRelativeAliasPathIsLookedUpInTheFoldersInOrder() throws IOException {
            Path second = Files.createDirectory(root.resolve("second"));
            Path file = model(second, "weights.bin", 3);

            FolderModelSource source = new FolderModelSource(List.of(models, second), Map.of(ModelId.of("w"), Path.of("weights.bin")));

            assertThat(source.find(ModelId.of("w"))).map(ModelDescriptor::path).contains(real(file));
        }

        @Test
        void anAliasWinsOverAFileWithTheSameId() throws IOException {
            model(models, "chat.gguf", 1);
            Path chosen = model(models, "llama.gguf", 2);

            FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), chosen));

            assertThat(source.find(ModelId.of("chat"))).map(ModelDescriptor::path).contains(real(chosen));
            assertThat(source.list()).filteredOn(m -> m.id().value().equals("chat")).map(ModelDescriptor::path).containsExactly(real(chosen));
        }

        @Test
        void anAliasWhoseFileIsGoneStillShadowsTheFileWithItsId() throws IOException {
            model(models, "chat.gguf", 1);
            Path chosen = model(models, "llama.gguf", 2);
            FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), chosen));

            Files.delete(chosen);

            assertThat(source.find(ModelId.of("chat"))).isEmpty();
            assertThat(ids(source)).containsExactly();
        }

        @Test
        void anAliasToAFileOutsideTheFoldersIsRefusedNamingAliasAndPath() {
            Path secret = model(outside, "secret.gguf", 1);

            assertThatThrownBy(() -> new FolderModelSource(List.of(models), Map.of(ModelId.of("leak"), secret)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'leak'")
                    .hasMessageContaining(secret.toString());
        }

        @Test
        void anAliasThatLeavesTheFoldersThroughASymlinkIsRefused() throws IOException {
            Path secret = model(outside, "secret.gguf", 1);
            Path link = Files.createSymbolicLink(models.resolve("innocent.gguf"), secret);

            assertThatThrownBy(() -> new FolderModelSource(List.of(models), Map.of(ModelId.of("leak"), link)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'leak'")
                    .hasMessageContaining(link.toString())
                    .hasMessageContaining("outside");
        }

        @Test
        void aRelativeAliasClimbingOutOfTheFoldersIsRefused() {
            model(outside, "secret.gguf", 1);

            assertThatThrownBy(() -> new FolderModelSource(List.of(models), Map.of(ModelId.of("leak"), Path.of("../elsewhere/secret.gguf"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'leak'")
                    .hasMessageContaining("outside");
        }

        @Test
        void anAliasToAMissingFileIsRefused() {
            Path missing = models.resolve("typo.gguf");

            assertThatThrownBy(() -> new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), missing)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'chat'")
                    .hasMessageContaining(missing.toString());
        }

        @Test
        void anAliasToAFolderIsRefused() throws IOException {
            Path folder = Files.createDirectory(models.resolve("sub"));

            assertThatThrownBy(() -> new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), folder)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a regular file");
        }

        @Test
        void anAliasWhoseFileIsLaterSwappedForASymlinkLeavingTheFoldersIsNoLongerServed() throws IOException {
            Path file = model(models, "llama.gguf", 1);
            FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), file));
            Files.delete(file);
            Files.createSymbolicLink(file, model(outside, "secret.gguf", 1));

            assertThat(source.find(ModelId.of("chat"))).isEmpty();
            assertThat(source.list()).isEmpty();
        }

        @Test
        void anAliasFollowsASymlinkInsideTheFolderAsItIsRepointed() throws IOException {
            Path v1 = model(models, "v1.bin", 1);
            Path v2 = model(models, "v2.bin", 2);
            Path latest = Files.createSymbolicLink(models.resolve("latest"), v1.getFileName());
            FolderModelSource source = new FolderModelSource(List.of(models), Map.of(ModelId.of("chat"), latest));

            Files.delete(latest);
            Files.createSymbolicLink(latest, v2.getFileName());

            assertThat(source.find(ModelId.of("chat"))).map(ModelDescriptor::path).contains(real(v2));
        }
    }

    @Nested
    class Fingerprints {
        @Test
        void aFileReplacedByRenameGetsANewFingerprintThroughItsNewInode() {
            Path file = model(models, "m.gguf", 100);
            FolderModelSource source = new FolderModelSource(models);
            Fingerprint before = source.find(ModelId.of("m")).orElseThrow().fingerprint();

            ModelFiles.replace(file, ModelFiles.randomBytes(100, 1));

            Fingerprint after = source.find(ModelId.of("m")).orElseThrow().fingerprint();
            assertThat(after.inode()).isNotEqualTo(before.inode());
            assertThat(after).isNotEqualTo(before).isEqualTo(ModelFiles.fingerprint(file));
        }

        @Test
        void aFileRewrittenInPlaceGetsANewFingerprintThroughItsModificationTime() throws IOException {
            Path file = model(models, "m.gguf", 100);
            FolderModelSource source = new FolderModelSource(models);
            Fingerprint before = source.find(ModelId.of("m")).orElseThrow().fingerprint();

            rewriteUntilModificationTimeMoves(file, ModelFiles.randomBytes(100, 2));

            Fingerprint after = source.find(ModelId.of("m")).orElseThrow().fingerprint();
            assertThat(after.inode()).as("same file").isEqualTo(before.inode());
            assertThat(after.size()).isEqualTo(before.size());
            assertThat(after.modifiedNanos()).isGreaterThan(before.modifiedNanos());
        }

        @Test
        void aFileThatGrowsGetsANewFingerprintThroughItsSize() throws IOException {
            Path file = model(models, "m.gguf", 100);
            FolderModelSource source = new FolderModelSource(models);

            Files.write(file, new byte[50], java.nio.file.StandardOpenOption.APPEND);

            assertThat(source.find(ModelId.of("m")).orElseThrow().fingerprint().size()).isEqualTo(150);
        }

        /** The kernel stamps files from a coarse clock (a few ms); rewrite until the stamp moves, as it will in real use. */
        private static void rewriteUntilModificationTimeMoves(Path file, byte[] contents) throws IOException {
            FileTime old = Files.getLastModifiedTime(file);
            long deadline = System.nanoTime() + 5_000_000_000L;
            do {
                Files.write(file, contents);
                if (!Files.getLastModifiedTime(file).equals(old)) {
                    return;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() < deadline);
            throw new AssertionError("modification time of " + file + " did not move in 5 s");
        }
    }
}
