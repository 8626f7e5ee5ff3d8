package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.testing.ModelFiles;
import io.hive.preloader.linux.AnonymousMemory;
import io.hive.preloader.linux.Libc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** Reading with several threads, with chunks small enough that every thread gets several. */
class ChunkedReaderTest {
    private static final int CHUNK = 64 * 1024;

    private static final java.util.function.LongConsumer NO_PREFAULTER = claimed -> { };
    private static final ContentCheck.Hashing NOT_HASHED = ContentCheck.NONE.start(MemorySegment.NULL);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3})
    void everyThreadCountReadsEveryByteAndReportsFromTheCallingThreadInIncreasingOrder(int threads) throws IOException {
        int size = 37 * CHUNK + 4099;
        byte[] contents = ModelFiles.model(size, threads);
        Path file = ModelFiles.write(dir, "m.gguf", contents);
        List<Long> reported = new ArrayList<>();

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            MemorySegment target = AnonymousMemory.map(size, Libc.pageSize(), arena, file);
            Thread caller = Thread.currentThread();
            FilledRanges filled = new FilledRanges(target, contents);
            ChunkedReader.read(channel, file, target, size, size, CHUNK, threads, NO_PREFAULTER, (done, total) -> {
                assertThat(total).isEqualTo(size);
                assertThat(Thread.currentThread()).isSameAs(caller);
                reported.add(done);
            }, filled);

            assertThat(target.asSlice(0, size).mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
            assertThat(filled.told()).as("each chunk told once, once read").isEqualTo((long) size);
        }
        assertThat(reported).isSorted().doesNotHaveDuplicates().startsWith(0L).endsWith((long) size);
        if (threads == 1) {
            assertThat(reported).as("the start, every chunk, the end").hasSize(39);
        }
    }

    @Test
    void severalThreadsReadWithDirectIoFromBlockAlignedChunks() throws IOException {
        int size = 9 * CHUNK + 17;
        byte[] contents = ModelFiles.model(size, 11);
        Path file = ModelFiles.write(dir, "m.gguf", contents);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (IOException e) {
            assumeThat(e).as("the temporary folder's filesystem refuses O_DIRECT").isNull();
            return;
        }
        long capacity = (size + 4095) / 4096 * 4096;
        try (channel; Arena arena = Arena.ofShared()) {
            MemorySegment target = AnonymousMemory.map(capacity, Libc.pageSize(), arena, file);
            ChunkedReader.read(channel, file, target, size, capacity, CHUNK, 3, NO_PREFAULTER, LoadProgress.NONE, NOT_HASHED);

            assertThat(target.asSlice(0, size).mismatch(MemorySegment.ofArray(contents))).isEqualTo(-1L);
        }
    }

    @Test
    void aFileShorterThanExpectedFailsEvenWhenAnotherThreadReachesTheEnd() throws IOException {
        int size = 6 * CHUNK;
        Path file = ModelFiles.write(dir, "m.gguf", ModelFiles.model(size - CHUNK - 1, 12));

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            MemorySegment target = AnonymousMemory.map(size, Libc.pageSize(), arena, file);
            assertThatThrownBy(() -> ChunkedReader.read(channel, file, target, size, size, CHUNK, 2, NO_PREFAULTER, LoadProgress.NONE, NOT_HASHED))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("changed since it was looked up");
        }
    }

    @Test
    void aFailingProgressListenerStopsTheReadAndItsErrorReachesTheCaller() throws IOException {
        int size = 8 * CHUNK;
        Path file = ModelFiles.write(dir, "m.gguf", ModelFiles.model(size, 13));
        AssertionError refusal = new AssertionError("listener refuses");

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofShared()) {
            MemorySegment target = AnonymousMemory.map(size, Libc.pageSize(), arena, file);
            assertThatThrownBy(() -> ChunkedReader.read(channel, file, target, size, size, CHUNK, 2, NO_PREFAULTER, (done, total) -> {
                throw refusal;
            }, NOT_HASHED)).isSameAs(refusal);
        }
    }

    /** A content check's hashing that checks each range it is told of already holds the file's bytes. */
    private static final class FilledRanges implements ContentCheck.Hashing {
        private final MemorySegment target;
        private final byte[] contents;
        private final java.util.concurrent.atomic.AtomicLong told = new java.util.concurrent.atomic.AtomicLong();

        FilledRanges(MemorySegment target, byte[] contents) {
            this.target = target;
            this.contents = contents;
        }

        @Override
        public void filled(long start, long end) {
            assertThat(target.asSlice(start, end - start).mismatch(MemorySegment.ofArray(contents).asSlice(start, end - start)))
                    .as("bytes %d to %d hold the file's once told", start, end).isEqualTo(-1L);
            told.addAndGet(end - start);
        }

        long told() {
            return told.get();
        }

        @Override
        public void verify() {
        }

        @Override
        public void close() {
        }
    }
}
