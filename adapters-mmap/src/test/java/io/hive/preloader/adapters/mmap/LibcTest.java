package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class LibcTest {
    @TempDir
    Path dir;

    @Test
    void aFailedCallNamesTheCallTheErrnoAndTheFile() {
        Path missing = dir.resolve("missing.gguf");

        assertThatThrownBy(() -> Libc.open(missing))
                .isInstanceOf(StoreException.class)
                .hasMessage("open of " + missing + " failed: ENOENT (2)");
    }

    @Test
    void posixFadviseFailuresReportTheErrorItReturnsRatherThanErrno() {
        assertThatThrownBy(() -> Libc.posixFadvise(-1, Libc.FileAdvice.POSIX_FADV_DONTNEED, dir))
                .hasMessage("posix_fadvise(POSIX_FADV_DONTNEED) of " + dir + " failed: EBADF (9)");
    }

    @Test
    void eachCallSeesItsOwnErrnoWhateverOtherThreadsDo() throws Exception {
        Path missing = dir.resolve("missing.gguf");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            boolean opens = t % 2 == 0;
            results.add(pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    Throwable failure = catchThrowable(() -> {
                        if (opens) {
                            Libc.open(missing);
                        } else {
                            Libc.close(-1, missing);
                        }
                    });
                    if (!failure.getMessage().endsWith(opens ? "ENOENT (2)" : "EBADF (9)")) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Future<Boolean> r : results) {
            assertThat(r.get()).isTrue();
        }
        pool.shutdown();
    }

    @Test
    void thePageSizeIsAPowerOfTwoOfAtLeast4KiB() {
        assertThat(Libc.pageSize()).isGreaterThanOrEqualTo(4096);
        assertThat(Integer.bitCount(Libc.pageSize())).isEqualTo(1);
    }

    @Test
    void anErrnoOutsideTheTableIsStillShownByNumber() {
        assertThat(Errno.describe(12)).isEqualTo("ENOMEM (12)");
        assertThat(Errno.describe(4242)).isEqualTo("errno 4242");
    }
}
