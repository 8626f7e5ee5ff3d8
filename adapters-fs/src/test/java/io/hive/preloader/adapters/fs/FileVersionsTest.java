package io.hive.preloader.adapters.fs;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.FileStatus;
import io.hive.preloader.linux.FileStatus.Match;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hit path's one stat on a file system whose {@code statx} answers without inode, size or mtime (NFS, FUSE):
 * every hit took the slow way there, a full look-up with {@code toRealPath}; now the path is remembered and asked by
 * one plain {@code stat}.
 */
class FileVersionsTest {
    @TempDir
    Path dir;

    @Test
    void aPathWhoseStatxAnswersShortIsAskedByOnePlainStatFromThenOn() throws IOException {
        Path file = ModelFiles.write(dir, "a.gguf", ModelFiles.randomBytes(4096, 1));
        Path other = ModelFiles.write(dir, "b.gguf", ModelFiles.randomBytes(4096, 2));
        Fingerprint version = ModelFiles.fingerprint(file);
        AtomicInteger statxCalls = new AtomicInteger();
        // A file system that reports no inode for a.gguf, and everything for the rest.
        FileVersions versions = new FileVersions((cPath, expected) -> {
            statxCalls.incrementAndGet();
            return cPath.getString(0).equals(file.toString()) ? Match.INCOMPLETE : FileStatus.compare(cPath, expected);
        });

        assertThat(versions.compare(file, version)).as("the plain stat's answer, not 'look it up'").isEqualTo(Match.SAME);
        assertThat(versions.compare(file, version)).isEqualTo(Match.SAME);
        assertThat(statxCalls).as("statx asked once for that path").hasValue(1);

        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5_000));
        assertThat(versions.compare(file, version)).as("still sees a change").isEqualTo(Match.DIFFERENT);
        Files.delete(file);
        assertThat(versions.compare(file, version)).isEqualTo(Match.MISSING);

        assertThat(versions.compare(other, ModelFiles.fingerprint(other))).isEqualTo(Match.SAME);
        assertThat(statxCalls).as("other paths still go through statx").hasValue(2);
    }
}
