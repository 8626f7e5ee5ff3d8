package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import io.hive.preloader.core.port.DeviceWriter;

/**
 * Starts the copy of each filled slot to the device, on the slot's own lane, in chunk order. With a device that
 * copies asynchronously (CUDA) this only queues the copy; the completion stage waits for it. A target filled in
 * place (host memory) needs no copy: the readers wrote the bytes where they belong.
 */
final class SinkStage implements EventHandler<StagingSlot> {
    private final TransferRun run;
    private final DeviceWriter target;
    private final boolean inPlace;
    private Sequence sequence;

    SinkStage(TransferRun run, DeviceWriter target, boolean inPlace) {
        this.run = run;
        this.target = target;
        this.inPlace = inPlace;
    }

    @Override
    public void onStart() {
        run.waitStrategy().sinkStarted();
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.sequence = sequenceCallback;
    }

    @Override
    public void onEvent(StagingSlot slot, long seq, boolean endOfBatch) {
        if (!inPlace && !slot.end && !slot.skipped && !run.stopping()) {
            target.copy(slot.offset, slot.bytes(), slot.index);
            slot.copying = true;
        }
        sequence.set(seq);
        run.waitStrategy().sinkAdvanced();
    }
}
