package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.FileStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The hit path's check that a resident copy is still the file's version: one stat, the same answer as a look-up. */
class VersionCheckTest {
    @TempDir
    Path root;
    Path models;
    final ModelId id = ModelId.of("llama");

    @BeforeEach
    void folder() throws IOException {
        models = Files.createDirectory(root.resolve("models"));
    }

    private ModelDescriptor found(FolderModelSource source) {
        return source.find(id).orElseThrow();
    }

    @Test
    void theSameFileIsCurrentAndStatxIsWhatChecksIt() {
        Path file = ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(models);

        assertThat(source.isCurrent(found(source))).isTrue();
        assertThat(FileStatus.compare(FileStatus.path(file.toString()), found(source).fingerprint()))
                .as("libc has statx here and it agrees with the JDK's stat to the nanosecond").isEqualTo(FileStatus.Match.SAME);
    }

    @Test
    void aFileRenamedOverTheModelIsNotCurrent() throws IOException {
        ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor resident = found(source);
        Path next = ModelFiles.write(root, "next.gguf", ModelFiles.randomBytes(4096, 1));

        Files.move(next, models.resolve("llama.gguf"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(source.isCurrent(resident)).as("same size and bytes, another inode").isFalse();
        assertThat(source.isCurrent(found(source))).isTrue();
    }

    @Test
    void aFileWrittenInPlaceIsNotCurrent() throws IOException {
        Path file = ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor resident = found(source);

        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));

        assertThat(source.isCurrent(resident)).as("same inode and size, new mtime").isFalse();
    }

    @Test
    void aRemovedFileIsNotCurrent() throws IOException {
        Path file = ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor resident = found(source);

        Files.delete(file);

        assertThat(source.isCurrent(resident)).isFalse();
    }

    @Test
    void aFileOfTheSameIdInAnEarlierFolderShadowsTheResidentOne() throws IOException {
        Path first = Files.createDirectory(root.resolve("first"));
        ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(List.of(first, models), Map.of());
        ModelDescriptor resident = found(source);
        assertThat(source.isCurrent(resident)).isTrue();

        ModelFiles.write(first, "llama.gguf", ModelFiles.randomBytes(4096, 2));

        assertThat(source.isCurrent(resident)).isFalse();
        assertThat(found(source).path().getParent()).isEqualTo(first.toRealPath());
    }

    @Test
    void aSymlinkPointedAtAnotherFileIsNotCurrent() throws IOException {
        Path v1 = ModelFiles.write(models, "v1.bin", ModelFiles.randomBytes(4096, 1));
        Path v2 = ModelFiles.write(models, "v2.bin", ModelFiles.randomBytes(4096, 1));
        Path link = Files.createSymbolicLink(models.resolve("llama.gguf"), v1.getFileName());
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor resident = found(source);
        assertThat(source.isCurrent(resident)).isTrue();

        Files.delete(link);
        Files.createSymbolicLink(models.resolve("llama.gguf"), v2.getFileName());

        assertThat(source.isCurrent(resident)).isFalse();
    }

    @Test
    void anAliasIsCheckedAtItsOwnPath() throws IOException {
        Path file = ModelFiles.write(models, "Meta-Llama-3-8B.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(List.of(models), Map.of(id, file));
        ModelDescriptor resident = found(source);
        assertThat(source.isCurrent(resident)).isTrue();

        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 1000));

        assertThat(source.isCurrent(resident)).isFalse();
    }

    @Test
    void aCheckAllocatesNothingOnceThePathIsKnown() {
        ModelFiles.write(models, "llama.gguf", ModelFiles.randomBytes(4096, 1));
        FolderModelSource source = new FolderModelSource(models);
        ModelDescriptor resident = found(source);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        for (int i = 0; i < 300_000; i++) {
            source.isCurrent(resident); // compiled by the JIT before measuring
        }

        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            source.isCurrent(resident);
        }
        long perCheck = (threads.getThreadAllocatedBytes(thread) - before) / 100_000;

        // The JDK's Files.readAttributes allocates about 180 bytes a call here; the statx path none but noise.
        assertThat(perCheck).isLessThan(16);
    }
}
