package io.hive.preloader.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class ResidencyTest {
    private static final int PAGE = 4096;
    private static final int SIZE = 3 * PAGE + 100;

    @TempDir
    Path dir;

    /** A clean file (written back, so that the kernel may drop its pages) read whole into the page cache. */
    private Path cachedFile() throws IOException {
        Path file = dir.resolve("m.gguf");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[SIZE]));
            channel.force(true);
        }
        Files.readAllBytes(file);
        return file;
    }

    @Test
    void cachedBytesCountALastPartialPageForItsPartOnly() throws IOException {
        Path file = cachedFile();
        int fd = Libc.open(file, Libc.O_RDONLY);
        try {
            assertThat(Residency.cachedBytes(fd, SIZE, file)).hasValue(SIZE);

            Libc.posixFadvise(fd, 0, 3 * PAGE, Libc.FileAdvice.POSIX_FADV_DONTNEED, file);
            assertThat(Residency.cachedBytes(fd, SIZE, file)).as("the last page alone").hasValue(100);

            Files.readAllBytes(file);
            Libc.posixFadvise(fd, 3 * PAGE, 0, Libc.FileAdvice.POSIX_FADV_DONTNEED, file);
            assertThat(Residency.cachedBytes(fd, SIZE, file)).as("all but the last page").hasValue(3 * PAGE);

            assertThat(Residency.cachedBytes(fd, 0, file)).hasValue(0);
        } finally {
            Libc.close(fd, file);
        }
    }
}
