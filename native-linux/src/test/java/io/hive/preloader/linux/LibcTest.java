package io.hive.preloader.linux;

import io.hive.preloader.core.port.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class LibcTest {
    @TempDir
    Path dir;

    @Test
    void aFailedCallNamesTheCallTheErrnoAndTheFile() {
        Path missing = dir.resolve("missing.gguf");

        assertThatThrownBy(() -> Libc.open(missing, Libc.O_RDONLY))
                .isInstanceOf(StoreException.class)
                .hasMessage("open of " + missing + " failed: ENOENT (2)")
                .satisfies(e -> assertThat(((LinuxException) e).errno()).isEqualTo(Errno.ENOENT.number()))
                .satisfies(e -> assertThat(((LinuxException) e).call()).isEqualTo("open"));
    }

    @Test
    void cachestatCountsTheCachedPagesOfARangeAndNoneOnceTheyAreDropped() throws IOException {
        Path file = dir.resolve("m.gguf");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(new byte[5 * 4096 + 100]));
            channel.force(true); // clean pages: the kernel drops only those
        }
        Files.readAllBytes(file);
        int fd = Libc.open(file, Libc.O_RDONLY);
        try {
            OptionalLong whole = Libc.cachedPages(fd, 0, 0, file);
            assertThat(whole).as("a kernel before 6.5 has no cachestat").isPresent();
            assertThat(whole.getAsLong()).isEqualTo(6);
            assertThat(Libc.cachedPages(fd, 4096, 2 * 4096, file)).hasValue(2);

            Libc.posixFadvise(fd, 0, 0, Libc.FileAdvice.POSIX_FADV_DONTNEED, file);

            assertThat(Libc.cachedPages(fd, 0, 0, file)).hasValue(0);
        } finally {
            Libc.close(fd, file);
        }
    }

    @Test
    void cachestatOfABadDescriptorFailsNamingTheCall() {
        assertThatThrownBy(() -> Libc.cachedPages(-1, 0, 0, dir)).hasMessage("cachestat of " + dir + " failed: EBADF (9)");
    }

    @Test
    void posixFadviseFailuresReportTheErrorItReturnsRatherThanErrno() {
        assertThatThrownBy(() -> Libc.posixFadvise(-1, 0, 0, Libc.FileAdvice.POSIX_FADV_DONTNEED, dir))
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
                            Libc.open(missing, Libc.O_RDONLY);
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

    @Test
    void preadReadsFromAnOffsetAndReadsNothingPastTheEnd() throws IOException {
        byte[] contents = new byte[10_000];
        new Random(1).nextBytes(contents);
        Path file = Files.write(dir.resolve("f"), contents);
        int fd = Libc.open(file, Libc.O_RDONLY);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment into = arena.allocate(8192);

            assertThat(Libc.pread(fd, into, 4000, file)).isEqualTo(6000);
            assertThat(into.asSlice(0, 6000).mismatch(MemorySegment.ofArray(contents).asSlice(4000))).isEqualTo(-1);
            assertThat(Libc.pread(fd, into, 10_000, file)).isZero();
        } finally {
            Libc.close(fd, file);
        }
        assertThatThrownBy(() -> Libc.close(fd, file)).hasMessage("close of " + file + " failed: EBADF (9)");
    }

    @Test
    void statfsTellsTmpfsFromADiskFolder() {
        StatFs shm = Libc.statfs(Path.of("/dev/shm"));

        assertThat(shm.isTmpfs()).as("/dev/shm is tmpfs, type 0x%x", shm.type()).isTrue();
        assertThat(shm.blockSize()).isEqualTo(Libc.pageSize());
        assertThatThrownBy(() -> Libc.statfs(dir.resolve("missing"))).hasMessageEndingWith("failed: ENOENT (2)");
    }

    @Test
    void populateReadBringsAFileIntoThePageCacheInOneCall() throws IOException {
        Path file = Files.write(dir.resolve("m"), new byte[3 * 1024 * 1024 + 5]);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.force(true); // dirty pages cannot be dropped
        }
        int fd = Libc.open(file, Libc.O_RDONLY);
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file)) {
            Libc.posixFadvise(fd, 0, 0, Libc.FileAdvice.POSIX_FADV_DONTNEED, file);
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            assertThat(Residency.residentBytes(mapping, file)).as("dropped first").isLessThan(mapping.byteSize());

            boolean populated = Libc.adviseIfSupported(mapping, Libc.Advice.MADV_POPULATE_READ, file);

            // Linux 5.14 added it; on an older kernel the answer is "unsupported" and the caller touches pages instead.
            assertThat(populated).isEqualTo(kernelAtLeast(5, 14));
            if (populated) {
                assertThat(Residency.residentBytes(mapping, file)).isEqualTo(mapping.byteSize());
            }
        } finally {
            Libc.close(fd, file);
        }
    }

    @Test
    void adviceOnAnAddressOffAPageIsRefusedRatherThanCalledUnsupported() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = AnonymousMemory.map(8192, Libc.pageSize(), arena, "a test");

            assertThatThrownBy(() -> Libc.adviseIfSupported(memory.asSlice(1), Libc.Advice.MADV_HUGEPAGE, "a test"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not page-aligned");
        }
    }

    @Test
    void aFunctionLibcLacksAnswersEnosysInsteadOfFailingTheTable() throws Throwable {
        MethodHandle missing = Downcalls.link("preloader_no_such_call", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());

            int result = (int) missing.invokeExact(state, 7);

            assertThat(result).isEqualTo(-1);
            assertThat((int) Linker.Option.captureStateLayout().varHandle(MemoryLayout.PathElement.groupElement("errno")).get(state, 0L))
                    .isEqualTo(Errno.ENOSYS.number());
        }
    }

    @Test
    void theMemlockLimitIsTheSoftLimitTheKernelLists() throws IOException {
        String line = Files.readAllLines(Path.of("/proc/self/limits")).stream().filter(l -> l.startsWith("Max locked memory"))
                .findFirst().orElseThrow();
        String soft = line.substring("Max locked memory".length()).trim().split(" +")[0];

        assertThat(Libc.memlockLimit()).isEqualTo(soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft)));
    }

    static boolean kernelAtLeast(int major, int minor) {
        String[] release = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(release[0]);
        int mi = Integer.parseInt(release[1]);
        return ma > major || ma == major && mi >= minor;
    }
}
