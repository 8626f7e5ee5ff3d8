package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A wait strategy that wakes only the stage that can move: the producer's publish wakes the readers, a reader's
 * chunk wakes the sink stage, the sink stage wakes the completion stage, and the completion stage wakes the
 * producer waiting for a free slot. A waiter spins briefly, then parks; it is unparked by the stage it waits on
 * after that stage has advanced its sequence, and re-reads the sequence, so an unpark that comes before the park
 * is not lost (LockSupport keeps the permit). The Disruptor's {@code BlockingWaitStrategy} would spin on the
 * stages before (a core per stage while a chunk takes milliseconds), and one condition signalled by every stage
 * would wake every thread for every chunk, which costs a third of the throughput on two CPUs. The timed park
 * bounds the cost of a wake-up that never comes (the processor's own end-of-batch update, a halt).
 */
final class StageWaitStrategy implements WaitStrategy {
    private static final int SPINS = 128;
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<Thread> readers = new CopyOnWriteArrayList<>();
    private volatile Thread sink;
    private volatile Thread completion;
    private volatile Thread producer;

    void readerStarted() {
        readers.add(Thread.currentThread());
    }

    void sinkStarted() {
        sink = Thread.currentThread();
    }

    void completionStarted() {
        completion = Thread.currentThread();
    }

    void producerStarted() {
        producer = Thread.currentThread();
    }

    /** A reader filled a chunk (or passed the end of a batch): the sink stage may go on. */
    void readerAdvanced() {
        unpark(sink);
    }

    /** The sink stage started a copy: the completion stage may go on. */
    void sinkAdvanced() {
        unpark(completion);
    }

    /** A slot is free again: the producer may publish. */
    void completionAdvanced() {
        unpark(producer);
    }

    /** Wakes every stage, so that each sees a failure, a cancellation or a halt at once. */
    void wakeAll() {
        readers.forEach(StageWaitStrategy::unpark);
        unpark(sink);
        unpark(completion);
        unpark(producer);
    }

    private static void unpark(Thread thread) {
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public long waitFor(long sequence, Sequence cursor, Sequence dependentSequence, SequenceBarrier barrier)
            throws AlertException, InterruptedException {
        long available;
        int spins = 0;
        while ((available = dependentSequence.get()) < sequence) {
            barrier.checkAlert();
            if (spins++ < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, PARK_NANOS);
            }
        }
        return available;
    }

    /** The producer published (or the ring is being halted): the readers wait on its cursor. */
    @Override
    public void signalAllWhenBlocking() {
        readers.forEach(StageWaitStrategy::unpark);
    }
}
