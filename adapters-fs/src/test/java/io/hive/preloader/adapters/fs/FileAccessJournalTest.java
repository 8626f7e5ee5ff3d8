package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileAccessJournalTest {
    private static final ModelId LLAMA = ModelId.of("llama-3-8b");
    private static final ModelId QWEN = ModelId.of("qwen2.5-7b");
    private static final ModelId PHI = ModelId.of("phi-3");

    @TempDir
    Path dir;

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }

    private static String[] namesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void aJournalNeverWrittenReadsAsNoCounts() {
        assertThat(new FileAccessJournal(dir.resolve("journal.tsv")).read()).isEmpty();
    }

    @Test
    void readsBackWhatItWrote() {
        FileAccessJournal journal = new FileAccessJournal(dir.resolve("journal.tsv"));
        Map<ModelId, Long> counts = Map.of(LLAMA, 42L, QWEN, 7L, PHI, 0L);

        journal.write(counts);

        assertThat(journal.read()).isEqualTo(counts);
        assertThat(new FileAccessJournal(dir.resolve("journal.tsv")).read()).as("another instance, as after a restart").isEqualTo(counts);
    }

    @Test
    void writesOneIdTabCountLinePerModelMostUsedFirstTiesById() throws IOException {
        Path file = dir.resolve("journal.tsv");

        new FileAccessJournal(file).write(Map.of(PHI, 3L, LLAMA, 42L, QWEN, 3L));

        assertThat(Files.readString(file)).isEqualTo("llama-3-8b\t42\nphi-3\t3\nqwen2.5-7b\t3\n");
    }

    @Test
    void createsMissingParentFolders() {
        Path file = dir.resolve("var/lib/preloader/journal.tsv");

        new FileAccessJournal(file).write(Map.of(LLAMA, 1L));

        assertThat(file).isRegularFile();
    }

    @Test
    void replacesTheFileByRenameLeavingNoTemporaryFileBehind() throws IOException {
        Path file = dir.resolve("journal.tsv");
        FileAccessJournal journal = new FileAccessJournal(file);
        journal.write(Map.of(LLAMA, 1L, QWEN, 2L));
        long before = inode(file);

        journal.write(Map.of(LLAMA, 5L));

        assertThat(inode(file)).as("a new file renamed over the old one, never rewritten in place").isNotEqualTo(before);
        assertThat(journal.read()).as("the old counts are gone").isEqualTo(Map.of(LLAMA, 5L));
        assertThat(namesIn(dir)).containsExactly("journal.tsv");
    }

    @Test
    void writesAFileOnlyItsOwnerReadsAndPassesOverATemporaryFileLeftBehind() throws IOException {
        Path file = dir.resolve("journal.tsv");
        FileAccessJournal journal = new FileAccessJournal(file);
        // What writers of an earlier process with this pid that died before their rename would leave: names this
        // process may pick next (a process numbers its own from 1; this class writes fewer than 60 journals), which
        // the journal must pass over rather than fail on or write into.
        long pid = ProcessHandle.current().pid();
        List<Path> leftovers = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            leftovers.add(Files.writeString(dir.resolve("journal.tsv." + pid + "." + i + ".tmp"), "left behind"));
        }

        journal.write(Map.of(QWEN, 3L));

        assertThat(journal.read()).isEqualTo(Map.of(QWEN, 3L));
        assertThat(Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(leftovers).allSatisfy(p -> assertThat(p).hasContent("left behind"));
    }

    @Test
    void anEmptyMapWritesAnEmptyJournal() throws IOException {
        Path file = dir.resolve("journal.tsv");
        FileAccessJournal journal = new FileAccessJournal(file);

        journal.write(Map.of());

        assertThat(Files.size(file)).isZero();
        assertThat(journal.read()).isEmpty();
    }

    @Test
    void corruptLinesAreSkippedWithAWarningNamingFileAndLineAndTheRestIsRead() throws IOException {
        Path file = Files.writeString(dir.resolve("journal.tsv"), String.join("\n",
                "llama-3-8b\t42",        // 1
                "no tab here",           // 2
                "qwen2.5-7b\tmany",      // 3
                "phi-3\t-1",             // 4
                "../etc/passwd\t9",      // 5
                "a\t1\textra",           // 6
                "",                      // 7: blank lines are not damage
                "llama-3-8b\t99",        // 8: a second count for one id
                "phi-3\t3",              // 9
                "mistral\t9999999999999999999999"));   // 10
        FileAccessJournal journal = new FileAccessJournal(file);

        try (CapturedWarnings warnings = CapturedWarnings.of(FileAccessJournal.class)) {
            assertThat(journal.read()).isEqualTo(Map.of(LLAMA, 42L, PHI, 3L));

            assertThat(warnings.messages()).hasSize(7).allSatisfy(m -> assertThat(m).contains(file.toString()));
            assertThat(warnings.messages()).map(m -> m.replaceAll("^skipping line (\\d+) .*", "$1"))
                    .containsExactly("2", "3", "4", "5", "6", "8", "10");
        }
    }

    @Test
    void aDamagedByteSpoilsOnlyItsOwnLine() throws IOException {
        Path file = dir.resolve("journal.tsv");
        byte[] text = "llama-3-8b\t42\nq\u00ffwen\t7\nphi-3\t3\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(file, text);   // 0xFF alone is not UTF-8

        assertThat(new FileAccessJournal(file).read()).isEqualTo(Map.of(LLAMA, 42L, PHI, 3L));
    }

    @Test
    void aJournalPathThatIsAFolderReadsAsNoCountsWithAWarning() throws IOException {
        Path file = Files.createDirectory(dir.resolve("journal.tsv"));

        try (CapturedWarnings warnings = CapturedWarnings.of(FileAccessJournal.class)) {
            assertThat(new FileAccessJournal(file).read()).isEmpty();
            assertThat(warnings.messages()).singleElement().asString().contains(file.toString());
        }
    }

    @Test
    void aFileFarLargerThanAnyJournalIsIgnoredUnread() throws IOException {
        Path file = dir.resolve("model.gguf");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(FileAccessJournal.MAX_BYTES + 1);
        }

        try (CapturedWarnings warnings = CapturedWarnings.of(FileAccessJournal.class)) {
            assertThat(new FileAccessJournal(file).read()).isEmpty();
            assertThat(warnings.messages()).singleElement().asString().contains("larger than");
        }
    }

    @Test
    void aFailedWriteNamesTheFileLeavesNoTemporaryFileAndKeepsWhatWasThere() throws IOException {
        Path file = dir.resolve("journal.tsv");
        Files.createDirectory(file);
        Files.writeString(file.resolve("keep"), "x");   // a non-empty folder cannot be renamed over

        assertThatThrownBy(() -> new FileAccessJournal(file).write(Map.of(LLAMA, 1L)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
        assertThat(namesIn(dir)).containsExactly("journal.tsv");
        assertThat(file.resolve("keep")).hasContent("x");
    }

    @Test
    void aNegativeCountIsRefusedBeforeAnythingIsWritten() {
        Path file = dir.resolve("journal.tsv");
        Map<ModelId, Long> counts = new HashMap<>(Map.of(LLAMA, 1L));
        counts.put(QWEN, -2L);

        assertThatThrownBy(() -> new FileAccessJournal(file).write(counts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("qwen2.5-7b");
        assertThat(file).doesNotExist();
    }
}
