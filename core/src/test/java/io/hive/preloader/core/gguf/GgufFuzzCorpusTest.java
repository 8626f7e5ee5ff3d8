package io.hive.preloader.core.gguf;

import io.hive.preloader.core.testing.GgufCorpus;
import io.hive.preloader.core.testing.GgufFixtures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The seeded corpus of mutated GGUF files ({@link GgufCorpus}), each read: none may throw anything but
 * {@link GgufFormatException}, take over a second, or allocate more than a small multiple of the file's size (a
 * claimed count is never trusted).
 */
class GgufFuzzCorpusTest {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void everyMutantIsRefusedCleanlyOrReadWithinBounds() {
        List<GgufCorpus.Mutant> corpus = GgufCorpus.corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(1000);
        int refused = 0;
        int read = 0;
        long thread = Thread.currentThread().threadId();
        long slowest = 0;
        for (GgufCorpus.Mutant mutant : corpus) {
            byte[] bytes = mutant.maker().get();
            GgufCorpus.Mutant m = new GgufCorpus.Mutant(mutant.name(), bytes, mutant.mustRefuse());
            long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
            long start = System.nanoTime();
            try {
                GgufReader.read(MemorySegment.ofArray(bytes));
                assertThat(m.mustRefuse()).as("%s was accepted", m.name()).isFalse();
                read++;
            } catch (GgufFormatException e) {
                assertThat(e.getMessage()).as(m.name()).matches("at byte \\d+: .+");
                assertThat(e.offset()).as(m.name()).isBetween(0L, (long) bytes.length);
                refused++;
            }
            long nanos = System.nanoTime() - start;
            long allocated = THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
            slowest = Math.max(slowest, nanos);
            // Java objects for the strings read cost more than their bytes in the file; a trusted count would
            // cost gigabytes.
            assertThat(allocated).as("%s allocated", m.name()).isLessThan(32L * bytes.length + (4 << 20));
        }
        // How long the slowest file took is reported, not asserted: wall time on a shared machine is no test.
        System.out.printf("GGUF fuzz corpus: %d files, %d refused, %d random flips still valid, slowest read %.1f ms%n",
                corpus.size(), refused, read, slowest / 1e6);
        assertThat(refused).isGreaterThanOrEqualTo(1000);
    }

    /**
     * Admission reads only a file's first bytes, asking for more while the header goes on: every mutant must get the
     * verdict it gets whole, at the same byte and in the same words, and no read may ask past what the header needs.
     */
    @Test
    void readingFromThePrefixGivesTheVerdictOfTheWholeFile() {
        for (GgufCorpus.Mutant mutant : GgufCorpus.corpus()) {
            byte[] bytes = mutant.maker().get();
            String whole = verdict(() -> GgufReader.read(MemorySegment.ofArray(bytes)));
            long[] asked = {0};
            GgufReader.Prefix prefix = length -> {
                assertThat(length).as(mutant.name()).isLessThanOrEqualTo(bytes.length);
                asked[0] = Math.max(asked[0], length);
                return MemorySegment.ofArray(Arrays.copyOf(bytes, (int) length));
            };
            String fromPrefix = verdict(() -> GgufReader.read(bytes.length, prefix, 64));
            assertThat(fromPrefix).as(mutant.name()).isEqualTo(whole);
            // The check that keeps no arrays (admission's) refuses at the same byte with the same words.
            String checked = verdict(() -> GgufReader.read(bytes.length, prefix, 64, GgufReader.Values.CHECKED));
            assertThat(checked).as(mutant.name()).isEqualTo(whole);
            if (whole.startsWith("read ")) {
                long dataOffset = GgufReader.read(MemorySegment.ofArray(bytes)).dataOffset();
                // Asked for in steps of four times the last: never more than four times the header.
                assertThat(asked[0]).as(mutant.name()).isLessThanOrEqualTo(Math.max(64, 4 * dataOffset));
            }
        }
    }

    @Test
    void aFileShorterThanItsSizeWhileItIsReadIsRefused() {
        byte[] tensors = GgufFixtures.resource("gguf-py-tensors.gguf");
        GgufReader.Prefix shrunk = length -> MemorySegment.ofArray(Arrays.copyOf(tensors, (int) Math.min(length, 100)));
        assertThatThrownBy(() -> GgufReader.read(tensors.length, shrunk, 64))
                .isInstanceOf(GgufFormatException.class).hasMessageContaining("it shrank while it was read");
    }

    private static String verdict(java.util.function.Supplier<GgufHeader> read) {
        try {
            GgufHeader header = read.get();
            return "read " + header.tensorCount() + " tensors, data at " + header.dataOffset();
        } catch (GgufFormatException e) {
            return "refused: " + e.getMessage();
        }
    }
}
