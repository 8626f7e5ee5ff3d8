package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.LoadProgress;

/**
 * Waits for each slot's copy to reach the device, reports progress, and only then lets the slot go: the producer
 * gates on this stage, so a slot is refilled only once the device has read it. Sees the end sentinel last. A chunk
 * filled in place (host memory) had no copy to wait for: it is done once its reader is.
 */
final class CompletionStage implements EventHandler<StagingSlot> {
    private final TransferRun run;
    private final DeviceWriter target;
    private final LoadProgress progress;
    private final long size;
    private long done;
    private Sequence sequence;

    CompletionStage(TransferRun run, DeviceWriter target, LoadProgress progress, long size) {
        this.run = run;
        this.target = target;
        this.progress = progress;
        this.size = size;
    }

    @Override
    public void onStart() {
        run.waitStrategy().completionStarted();
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.sequence = sequenceCallback;
    }

    @Override
    public void onEvent(StagingSlot slot, long seq, boolean endOfBatch) {
        if (slot.end) {
            sequence.set(seq);
            run.ended();
            return;
        }
        if (slot.copying) {
            slot.copying = false;
            target.await(slot.index);
        }
        if (!slot.skipped && !run.stopping()) {
            done += slot.length;
            progress.advanced(done, size);
        }
        sequence.set(seq);
        run.waitStrategy().completionAdvanced();
    }
}
