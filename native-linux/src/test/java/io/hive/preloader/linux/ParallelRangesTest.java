package io.hive.preloader.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelRangesTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 4, 9})
    void everyRangeRunsOnceAndProgressComesFromTheCallingThreadInOrder(int threads) {
        long size = 10 * 1000 + 7;
        Set<Long> starts = ConcurrentHashMap.newKeySet();
        AtomicLong bytes = new AtomicLong();
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        List<Long> reported = new ArrayList<>();
        Thread caller = Thread.currentThread();

        ParallelRanges.run("test", size, 1000, threads, (start, end) -> {
            assertThat(starts.add(start)).as("range at " + start + " run once").isTrue();
            bytes.addAndGet(end - start);
            workers.add(Thread.currentThread());
            sleepBriefly();
        }, (done, total) -> {
            assertThat(Thread.currentThread()).isSameAs(caller);
            assertThat(total).isEqualTo(size);
            reported.add(done);
        });

        assertThat(starts).hasSize(11);
        assertThat(bytes.get()).isEqualTo(size);
        assertThat(workers).hasSizeLessThanOrEqualTo(threads);
        assertThat(reported).isSorted().startsWith(0L).endsWith(size);
    }

    @Test
    void nothingToDoReportsTheEndOnce() {
        List<Long> reported = new ArrayList<>();

        ParallelRanges.run("test", 0, 1000, 4, (start, end) -> { throw new AssertionError("no range"); },
                (done, total) -> reported.add(done));

        assertThat(reported).containsExactly(0L);
    }

    @Test
    void aHelpersFailureStopsTheOthersAndReachesTheCallerOnceEveryThreadIsDone() {
        IllegalStateException failure = new IllegalStateException("range 3 failed");
        AtomicInteger running = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);

        assertThatThrownBy(() -> ParallelRanges.run("test", 1000 * 1000, 1000, 4, (start, end) -> {
            running.incrementAndGet();
            try {
                ran.incrementAndGet();
                if (start == 3000) {
                    failed.countDown();
                    throw failure;
                }
                sleepBriefly();
            } finally {
                running.decrementAndGet();
            }
        }, (done, total) -> { })).isSameAs(failure);

        assertThat(running.get()).as("ranges still running when run returned").isZero();
        assertThat(ran.get()).as("ranges taken after the failure: at most one per thread").isLessThan(20);
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
