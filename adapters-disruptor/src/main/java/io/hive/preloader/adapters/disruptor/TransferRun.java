package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.EventFactory;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.core.port.TransferCancelledException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One transfer through its own ring: readers → sink → completion, with the calling thread as the producer. Every
 * resource is taken in {@link #run} and given back in its {@code finally}, in reverse order, once no stage can
 * touch it any more: the ring's threads stopped, then the copies in flight awaited, then the staging memory given
 * back to the pool (kept registered after a success, unregistered and freed after a failure or a cancellation).
 */
final class TransferRun {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DisruptorTransferPipeline pipeline;
    private final StagedTransfer job;
    private final long size;
    private final long chunkSize;
    private final int chunks;
    private final StageWaitStrategy waitStrategy = new StageWaitStrategy();
    private final CountDownLatch end = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    TransferRun(DisruptorTransferPipeline pipeline, StagedTransfer job) {
        this.pipeline = pipeline;
        this.job = job;
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
        job.cancellation().throwIfCancelled("transfer of " + job.model());
        if (chunks == 0) {
            return Duration.ZERO;
        }
        boolean interrupted = false;
        long took = 0;
        MemorySegment inPlace = job.target().hostView().orElse(null);
        StagingPool.Region staging = inPlace == null ? pipeline.pool().acquire(job.sink(), job.target().device()) : null;
        FileChannel file = null;
        Disruptor<StagingSlot> disruptor = null;
        try {
            if (job.source() instanceof ChunkSource.ModelFile f) {
                file = open(f);
            }
            waitStrategy.producerStarted();
            disruptor = start(staging, inPlace, file);
            long start = System.nanoTime();
            interrupted = produce(disruptor.getRingBuffer());
            interrupted |= awaitEnd();
            took = System.nanoTime() - start;
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            stop(disruptor);
            try {
                job.target().awaitAll();
            } catch (RuntimeException e) {
                fail(e);
            }
            close(file);
            if (staging != null) {
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
        }
        if (interrupted) {
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

    private FileChannel open(ChunkSource.ModelFile f) {
        try {
            return FileChannel.open(f.path(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException("opening " + f.path() + " failed: " + e, e);
        }
    }

    private Disruptor<StagingSlot> start(StagingPool.Region staging, MemorySegment inPlace, FileChannel file) {
        int slots = pipeline.slots();
        AtomicInteger next = new AtomicInteger();
        EventFactory<StagingSlot> factory = () -> {
            int index = next.getAndIncrement();
            return new StagingSlot(index, staging == null ? null : staging.memory().asSlice(index * chunkSize, chunkSize));
        };
        int run = RUNS.incrementAndGet();
        AtomicInteger names = new AtomicInteger();
        ThreadFactory threadFactory = task -> {
            Thread t = Thread.ofPlatform().daemon().name("staging-" + run + "-" + names.getAndIncrement()).unstarted(task);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        };
        Disruptor<StagingSlot> disruptor = new Disruptor<>(factory, slots, threadFactory, ProducerType.SINGLE, waitStrategy);
        disruptor.setDefaultExceptionHandler(new ExceptionHandler<>() {
            @Override
            public void handleEventException(Throwable ex, long sequence, StagingSlot slot) {
                fail(ex);
            }

            @Override
            public void handleOnStartException(Throwable ex) {
                fail(ex);
            }

            @Override
            public void handleOnShutdownException(Throwable ex) {
                fail(ex);
            }
        });
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
     * the transfer; it is cleared here (so that parking works) and reported to the caller, who restores it.
     */
    private boolean produce(RingBuffer<StagingSlot> ring) {
        boolean interrupted = false;
        for (int chunk = 0; chunk < chunks; chunk++) {
            interrupted |= awaitFreeSlot(ring);
            if (stopping()) {
                break;
            }
            long sequence = ring.next();
            long offset = chunk * chunkSize;
            ring.get(sequence).carry(chunk, offset, Math.min(chunkSize, size - offset));
            ring.publish(sequence);
        }
        interrupted |= awaitFreeSlot(ring);
        long sequence = ring.next();
        ring.get(sequence).carryEnd();
        ring.publish(sequence);
        return interrupted;
    }

    /**
     * The ring's back-pressure: parks until a slot is free, woken by the completion stage as it frees one. (The
     * ring's own {@code next()} would poll every 50 µs or so, a cost a two-CPU machine notices.)
     */
    private boolean awaitFreeSlot(RingBuffer<StagingSlot> ring) {
        boolean interrupted = false;
        while (!ring.hasAvailableCapacity(1)) {
            if (Thread.interrupted()) {
                interrupted = true;
                job.cancellation().cancel("interrupted");
            }
            LockSupport.parkNanos(this, PARK_NANOS);
        }
        if (Thread.interrupted()) {
            interrupted = true;
            job.cancellation().cancel("interrupted");
        }
        return interrupted;
    }

    /** Waits for the end sentinel to pass the last stage; an interrupt cancels the transfer, which still drains. */
    private boolean awaitEnd() {
        boolean interrupted = false;
        while (true) {
            try {
                end.await();
                return interrupted;
            } catch (InterruptedException e) {
                interrupted = true;
                job.cancellation().cancel("interrupted");
            }
        }
    }

    /** Stops the ring's threads and waits for them, so that no stage touches a slot after this returns. */
    private void stop(Disruptor<StagingSlot> disruptor) {
        if (disruptor == null) {
            return;
        }
        disruptor.halt();
        List<Thread> started;
        synchronized (threads) {
            started = List.copyOf(threads);
        }
        for (Thread t : started) {
            boolean joined = false;
            while (!joined) {
                try {
                    joined = t.join(java.time.Duration.ofSeconds(TimeUnit.MINUTES.toSeconds(1)));
                    if (!joined) {
                        fail(new IllegalStateException("staging thread " + t.getName() + " did not stop within a minute"));
                        joined = true;
                    }
                } catch (InterruptedException e) {
                    job.cancellation().cancel("interrupted");
                    Thread.currentThread().interrupt();
                    joined = !t.isAlive();
                }
            }
        }
    }

    private void close(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // read-only: nothing written is lost
                System.getLogger(TransferRun.class.getName()).log(System.Logger.Level.DEBUG, "closing " + describeSource() + ": " + e);
            }
        }
    }
}
