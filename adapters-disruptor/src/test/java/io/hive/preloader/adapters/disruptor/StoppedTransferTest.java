package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.adapters.disruptor.bench.DmaLikeSink;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cancellation;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.TransferCancelledException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A transfer stopped while it runs, by an interrupt of its thread or a cancellation: it ends within its bound even
 * when a stage is stuck in a call, without spinning (the thread's CPU time, not the clock, says so), with its thread's
 * interrupt restored, and the staging memory is freed, and the source declared unread, once the stuck stage lets go.
 */
class StoppedTransferTest {
    private static final long CHUNK = 64 * 1024;
    private static final int CHUNKS = 64;
    private static final Duration BOUND = Duration.ofSeconds(2);
    private static final ModelId MODEL = ModelId.of("stuck");

    private final DisruptorTransferPipeline pipeline = new DisruptorTransferPipeline(CHUNK, 2, 4, BOUND);
    private final Arena arena = Arena.ofShared();
    private final StuckCopies copies = new StuckCopies();
    private final DmaLikeSink sink = new DmaLikeSink(copies);
    /** Counted down when the pipeline says nothing reads the source any more (its owner may then free it). */
    private final CountDownLatch sourceUnread = new CountDownLatch(1);

    /** What the thread running the transfer saw: how it ended, its CPU time over the run, and its interrupt after it. */
    private record Outcome(RuntimeException thrown, long cpuNanos, boolean interruptedAfter) {
    }

    @AfterEach
    void release() {
        copies.release.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("staging-") && t.isAlive()));
        pipeline.close();
        arena.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"interrupt", "cancel"})
    void shouldEndWithinItsBoundWhileAStageIsStuckWithoutSpinning(String how) throws InterruptedException {
        copies.stuckFrom = 3 * CHUNK;
        Cancellation cancellation = new Cancellation();
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().name("transfer-under-test").start(() -> outcome.set(transfer(cancellation)));
        assertThat(copies.stuck.await(30, TimeUnit.SECONDS)).as("a copy got stuck").isTrue();

        if (how.equals("interrupt")) {
            runner.interrupt();
        } else {
            cancellation.cancel("cancelled by the test");
        }
        runner.join(Duration.ofSeconds(60));

        assertThat(runner.isAlive()).as("the transfer ended (its bound is %s)", BOUND).isFalse();
        Outcome o = outcome.get();
        assertThat(o.thrown()).isInstanceOf(StoreException.class).hasMessageContaining("stuck").hasMessageContaining("2 s");
        assertThat(o.cpuNanos()).as("CPU time of the waiting thread: no spin").isLessThan(BOUND.toNanos() / 5);
        assertThat(o.interruptedAfter()).as("its interrupt is restored").isEqualTo(how.equals("interrupt"));
        assertThat(cancellation.isCancelled()).isTrue();
        assertThat(pipeline.liveSlots()).as("the staging memory waits for the stuck stage").isEqualTo(pipeline.slots());
        assertThat(sourceUnread.getCount()).as("the source waits for the stuck stage too").isOne();

        copies.release.countDown();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.liveSlots() == 0);
        assertThat(sourceUnread.await(30, TimeUnit.SECONDS)).as("told once the stage let go").isTrue();
    }

    @Test
    void shouldCancelOnAnInterruptAndRestoreIt() throws InterruptedException {
        copies.slowCopies = true;
        Cancellation cancellation = new Cancellation();
        AtomicReference<Outcome> outcome = new AtomicReference<>();
        Thread runner = Thread.ofPlatform().name("transfer-under-test").start(() -> outcome.set(transfer(cancellation)));
        assertThat(copies.copied.await(30, TimeUnit.SECONDS)).isTrue();

        runner.interrupt();
        runner.join(Duration.ofSeconds(60));

        assertThat(runner.isAlive()).isFalse();
        assertThat(outcome.get().thrown()).isInstanceOf(TransferCancelledException.class).hasMessageContaining("interrupted");
        assertThat(outcome.get().interruptedAfter()).isTrue();
        assertThat(outcome.get().cpuNanos()).isLessThan(BOUND.toNanos() / 5);
        assertThat(pipeline.liveSlots()).isZero();
        assertThat(sourceUnread.getCount()).as("nothing was stuck: told as the run ended").isZero();
    }

    private Outcome transfer(Cancellation cancellation) {
        var threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        MemorySegment source = arena.allocate(CHUNKS * CHUNK);
        RuntimeException thrown = null;
        try (DeviceWriter writer = sink.allocate(MODEL, source.byteSize(), 0, pipeline.slots())) {
            pipeline.run(new StagedTransfer(MODEL, new ChunkSource.Memory(source), writer, sink, LoadProgress.NONE, cancellation, Optional.empty()),
                    sourceUnread::countDown);
        } catch (RuntimeException e) {
            thrown = e;
        }
        long took = threads.getCurrentThreadCpuTime() - cpu;
        return new Outcome(thrown, took, Thread.currentThread().isInterrupted());
    }

    /**
     * A device whose copies get stuck from one offset on, as a DMA that never completes: the call ignores interrupts
     * until the test releases it. Or, with {@code slowCopies}, every copy takes 10 ms.
     */
    private static final class StuckCopies implements DmaLikeSink.Copier {
        final CountDownLatch stuck = new CountDownLatch(1);
        final CountDownLatch copied = new CountDownLatch(4);
        final CountDownLatch release = new CountDownLatch(1);
        volatile long stuckFrom = Long.MAX_VALUE;
        volatile boolean slowCopies;

        @Override
        public void copy(long offset, MemorySegment chunk, int lane) {
            if (offset >= stuckFrom) {
                stuck.countDown();
                boolean done = false;
                while (!done) {
                    try {
                        done = release.await(1, TimeUnit.HOURS);
                    } catch (InterruptedException e) {
                        // a stuck DMA does not care
                    }
                }
            }
            if (slowCopies) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            copied.countDown();
        }
    }
}
