package io.hive.preloader.core.port;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SHA-256 of a load's bytes, told range by range in any order from several threads, as stores fill memory. */
class ContentCheckTest {
    static final ModelDescriptor MODEL = new ModelDescriptor(ModelId.of("m"), Path.of("/models/m.gguf"), new Fingerprint(1, 1, 1));

    static Sha256 sha256(byte[] bytes) throws Exception {
        return Sha256.of(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The bytes cut in ranges of random lengths, shuffled. */
    static List<long[]> ranges(long size, Random random) {
        List<long[]> ranges = new ArrayList<>();
        for (long start = 0; start < size; ) {
            long end = Math.min(size, start + 1 + random.nextInt(300_000));
            ranges.add(new long[]{start, end});
            start = end;
        }
        Collections.shuffle(ranges, random);
        return ranges;
    }

    @Test
    void rangesToldInAnyOrderFromSeveralThreadsGiveTheWholeFilesDigest() throws Exception {
        byte[] bytes = ModelFiles.randomBytes(5 * 1024 * 1024 + 7, 3);
        ExecutorService fillers = Executors.newFixedThreadPool(4);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(bytes.length);
            List<long[]> ranges = ranges(bytes.length, new Random(5));
            try (ContentCheck.Hashing hashing = ContentCheck.sha256(MODEL, sha256(bytes)).start(memory)) {
                List<Future<?>> filled = new ArrayList<>();
                for (long[] r : ranges) {
                    filled.add(fillers.submit(() -> {
                        // Written, then told: the hashing thread must never read a range before it is told of it.
                        MemorySegment.copy(MemorySegment.ofArray(bytes), r[0], memory, r[0], r[1] - r[0]);
                        hashing.filled(r[0], r[1]);
                    }));
                }
                for (Future<?> f : filled) {
                    f.get(30, TimeUnit.SECONDS);
                }
                hashing.verify();
            }
        } finally {
            fillers.shutdown();
        }
    }

    @Test
    void aMismatchNamesTheFileAndBothDigests() throws Exception {
        byte[] bytes = ModelFiles.randomBytes(100_000, 4);
        Sha256 wrong = new Sha256("a".repeat(64));
        try (ContentCheck.Hashing hashing = ContentCheck.sha256(MODEL, wrong).start(MemorySegment.ofArray(bytes))) {
            hashing.filled(50_000, 100_000);
            hashing.filled(0, 50_000);
            assertThatThrownBy(hashing::verify).isInstanceOf(InvalidModelException.class)
                    .hasMessage("/models/m.gguf: its SHA-256 is " + sha256(bytes).hex() + ", not " + wrong.hex()
                            + " as its digest says; the bytes loaded were freed");
        }
    }

    @Test
    void closingBeforeEveryByteIsFilledStopsTheHashingThread() {
        byte[] bytes = ModelFiles.randomBytes(1_000_000, 5);
        ContentCheck.Hashing hashing = ContentCheck.sha256(MODEL, new Sha256("b".repeat(64))).start(MemorySegment.ofArray(bytes));
        hashing.filled(0, 1000);

        hashing.close();

        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("sha256 m") && t.isAlive());
        assertThatThrownBy(() -> hashing.filled(0, 2_000_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void noBytesHaveTheDigestOfNothingAndNothingToCheckChecksNothing() throws Exception {
        try (ContentCheck.Hashing hashing = ContentCheck.sha256(MODEL, sha256(new byte[0])).start(MemorySegment.NULL)) {
            hashing.verify();
        }
        assertThat(ContentCheck.NONE.hashes()).isFalse();
        try (ContentCheck.Hashing idle = ContentCheck.NONE.start(MemorySegment.NULL)) {
            idle.filled(0, 0);
            idle.verify();
        }
    }
}
