package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.EventFactory;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StoreException;

import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One transfer through its own ring: readers → sink → completion, with the calling thread as the producer. Every
 * resource is taken in {@link #run} and given back in its {@code finally}, in reverse order, once no stage can
 * touch it any more: the ring's threads stopped, then the copies in flight awaited, then the staging memory given
 * back to the pool (kept registered after a success, unregistered and freed after a failure or a cancellation).
 * Once stopping, the caller waits for the stages until one deadline ({@link StopBound}); memory a stuck stage may
 * still touch (the staging slots, and the source, whose owner is told only then) is let go only after it exits.
 */
final class TransferRun {
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often the wait for the end looks whether the transfer was stopped from another thread. */
    private static final long END_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final DisruptorTransferPipeline pipeline;
    private final StagedTransfer job;
    private final long size;
    private final long chunkSize;
    private final int chunks;
    private final StageWaitStrategy waitStrategy = new StageWaitStrategy();
    private final CountDownLatch end = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final StageThreads threads = new StageThreads();
    private final StopBound stop;
    /** Told once no stage reads the source: as {@link #run} ends, or once the stages stuck at its deadline exit. */
    private final Runnable sourceUnread;
    /** Set when stages stuck at the deadline may still read the source after {@link #run} returns. */
    private boolean sourceOutlivesRun;

    TransferRun(DisruptorTransferPipeline pipeline, StagedTransfer job, Runnable sourceUnread) {
        this.pipeline = pipeline;
        this.job = job;
        this.sourceUnread = sourceUnread;
        this.stop = new StopBound(pipeline.stopBound(), job.cancellation());
        this.size = job.source().size();
        this.chunkSize = pipeline.chunkSize();
        this.chunks = Math.toIntExact((size + chunkSize - 1) / chunkSize);
        if (job.target().lanes() < pipeline.slots()) {
            throw new IllegalArgumentException("the target has " + job.target().lanes() + " lanes, the ring " + pipeline.slots() + " slots");
        }
    }

    long size() {
        return size;
    }

    String describeSource() {
        return switch (job.source()) {
            case ChunkSource.ModelFile f -> f.path().toString();
            case ChunkSource.Memory _ -> "the resident bytes of " + job.model();
        };
    }

    /** Whether stages should stop doing work: a stage failed or the transfer was cancelled. */
    boolean stopping() {
        return failure.get() != null || job.cancellation().isCancelled();
    }

    StageWaitStrategy waitStrategy() {
        return waitStrategy;
    }

    void ended() {
        end.countDown();
    }

    private void fail(Throwable t) {
        if (!failure.compareAndSet(null, t) && failure.get() != t) {
            failure.get().addSuppressed(t);
        }
        waitStrategy.wakeAll();
    }

    /** @return from the first chunk published to the end sentinel through the last stage */
    Duration run() {
        try {
            return transfer();
        } finally {
            if (!sourceOutlivesRun) {
                sourceUnread.run();
            }
        }
    }

    private Duration transfer() {
        job.cancellation().throwIfCancelled("transfer of " + job.model());
        if (chunks == 0) {
            return Duration.ZERO;
        }
        long took = 0;
        MemorySegment inPlace = job.target().hostView().orElse(null);
        StagingPool.Region staging = inPlace == null ? pipeline.pool().acquire(job.sink(), job.target().device()) : null;
        FileChannel file = null;
        Disruptor<StagingSlot> disruptor = null;
        try {
            if (job.source() instanceof ChunkSource.ModelFile f) {
                file = SourceFile.open(f);
            }
            waitStrategy.producerStarted();
            disruptor = start(staging, inPlace, file);
            long start = System.nanoTime();
            awaitEnd(produce(disruptor.getRingBuffer()));
            took = System.nanoTime() - start;
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            List<Thread> stuck = stop(disruptor);
            if (stuck.isEmpty()) {
                try {
                    job.target().awaitAll();
                } catch (RuntimeException e) {
                    fail(e);
                }
            }
            SourceFile.close(file);
            if (!stuck.isEmpty()) {
                sourceOutlivesRun = true;
                StageThreads.afterExit(stuck, "freeing the staging memory and the source of " + job.model(), () -> {
                    if (staging != null) {
                        pipeline.pool().discard(staging);
                    }
                    sourceUnread.run();
                });
            } else if (staging != null) {
                giveBack(staging);
            }
        }
        if (stop.wasInterrupted()) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new StoreException("staging " + describeSource() + " failed: " + t, t);
        }
        job.cancellation().throwIfCancelled("transfer of " + job.model());
        return Duration.ofNanos(took);
    }

    /** The staging memory back to the pool once every stage has exited: kept registered after a success, else discarded. */
    private void giveBack(StagingPool.Region staging) {
        if (failure.get() == null && !job.cancellation().isCancelled()) {
            pipeline.pool().release(staging);
        } else {
            try {
                pipeline.pool().discard(staging);
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    private Disruptor<StagingSlot> start(StagingPool.Region staging, MemorySegment inPlace, FileChannel file) {
        int slots = pipeline.slots();
        AtomicInteger next = new AtomicInteger();
        EventFactory<StagingSlot> factory = () -> {
            int index = next.getAndIncrement();
            return new StagingSlot(index, staging == null ? null : staging.memory().asSlice(index * chunkSize, chunkSize));
        };
        Disruptor<StagingSlot> disruptor = new Disruptor<>(factory, slots, threads, ProducerType.SINGLE, waitStrategy);
        disruptor.setDefaultExceptionHandler(new StageFailures(this::fail));
        int readers = pipeline.readers();
        ReaderStage[] readerStages = new ReaderStage[readers];
        for (int k = 0; k < readers; k++) {
            readerStages[k] = new ReaderStage(this, k, readers, ReaderStage.memoryOf(job.source()), file, inPlace,
                    job.checksums().orElse(null));
        }
        disruptor.handleEventsWith(readerStages)
                .then(new SinkStage(this, job.target(), inPlace != null))
                .then(new CompletionStage(this, job.target(), job.progress(), size));
        disruptor.start();
        return disruptor;
    }

    /**
     * Publishes every chunk, then the end sentinel; stops early on a failure or a cancellation. An interrupt cancels
     * the transfer (see {@link StopBound}).
     *
     * @return whether the end sentinel was published: not when the stages stopped taking slots within the bound
     */
    private boolean produce(RingBuffer<StagingSlot> ring) {
        for (int chunk = 0; chunk < chunks; chunk++) {
            if (!awaitFreeSlot(ring)) {
                return false;
            }
            if (stopping()) {
                break;
            }
            long sequence = ring.next();
            long offset = chunk * chunkSize;
            ring.get(sequence).carry(chunk, offset, Math.min(chunkSize, size - offset));
            ring.publish(sequence);
        }
        if (!awaitFreeSlot(ring)) {
            return false;
        }
        long sequence = ring.next();
        ring.get(sequence).carryEnd();
        ring.publish(sequence);
        return true;
    }

    /**
     * The ring's back-pressure: parks until a slot is free, woken by the completion stage as it frees one. (The
     * ring's own {@code next()} would poll every 50 µs or so, a cost a two-CPU machine notices.)
     *
     * @return false when the transfer is stopping and no slot came free by the deadline
     */
    private boolean awaitFreeSlot(RingBuffer<StagingSlot> ring) {
        while (!ring.hasAvailableCapacity(1)) {
            stop.takeInterrupt();
            if (stop.expired(stopping())) {
                fail(new StoreException("the staging stages of " + job.model() + " took no slot for " + stop.bound().toSeconds()
                        + " s after the transfer was stopped: one is stuck"));
                return false;
            }
            LockSupport.parkNanos(this, PARK_NANOS);
        }
        stop.takeInterrupt();
        return true;
    }

    /**
     * Waits for the end sentinel to pass the last stage. A cancellation or an interrupt makes the stages skip what is
     * left, so the end comes soon; if a stage is stuck it does not, and the wait ends at the deadline. The latch is
     * polled so that a cancellation from another thread sets the deadline.
     */
    private void awaitEnd(boolean published) {
        while (published) {
            stop.takeInterrupt();
            if (stop.expired(stopping())) {
                fail(new StoreException("the transfer of " + job.model() + " did not end within " + stop.bound().toSeconds()
                        + " s after it was stopped: a stage is stuck"));
                return;
            }
            try {
                if (end.await(stopping() ? Math.min(stop.remainingNanos(), END_POLL_NANOS) : END_POLL_NANOS, TimeUnit.NANOSECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                stop.interrupted();
            }
        }
    }

    /**
     * Stops the ring's threads and waits for them until the deadline, so that no stage touches a slot after this
     * returns.
     *
     * @return the threads still running at the deadline (stuck in a call that does not return)
     */
    private List<Thread> stop(Disruptor<StagingSlot> disruptor) {
        if (disruptor == null) {
            return List.of();
        }
        disruptor.halt();
        List<Thread> stuck = threads.join(stop);
        if (!stuck.isEmpty()) {
            fail(new StoreException("staging threads " + stuck.stream().map(Thread::getName).toList() + " of " + job.model()
                    + " did not stop within " + stop.bound().toSeconds() + " s; their staging memory is freed once they do"));
        }
        return stuck;
    }
}
