package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.Sequence;
import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * Fills staging slots from the source: reader {@code k} of {@code n} takes the sequences {@code s} with
 * {@code s % n == k}, so that the readers copy in parallel while the ring keeps the chunks in order for the sink.
 */
final class ReaderStage implements EventHandler<StagingSlot> {
    private final TransferRun run;
    private final int index;
    private final int readers;
    private final MemorySegment memory;
    private final FileChannel file;
    private final MemorySegment inPlace;
    private final ChunkChecksums checksums;
    private final CRC32C crc = new CRC32C();
    private Sequence sequence;

    /**
     * @param memory    the resident bytes, or null when reading {@code file}
     * @param inPlace   the target's memory when it can be filled in place (host memory), else null: fill the slots
     * @param checksums where to put each chunk's CRC32C, or null
     */
    ReaderStage(TransferRun run, int index, int readers, MemorySegment memory, FileChannel file, MemorySegment inPlace,
                ChunkChecksums checksums) {
        this.run = run;
        this.index = index;
        this.readers = readers;
        this.memory = memory;
        this.file = file;
        this.inPlace = inPlace;
        this.checksums = checksums;
    }

    @Override
    public void onStart() {
        run.waitStrategy().readerStarted();
    }

    @Override
    public void setSequenceCallback(Sequence sequenceCallback) {
        this.sequence = sequenceCallback;
    }

    @Override
    public void onEvent(StagingSlot slot, long seq, boolean endOfBatch) {
        boolean mine = !slot.end && seq % readers == index;
        if (mine) {
            if (run.stopping()) {
                slot.skipped = true;
            } else {
                if (memory != null) {
                    // From resident memory: into the slot, or straight to the chunk's place in a host-memory target.
                    MemorySegment.copy(memory, slot.offset, inPlace == null ? slot.memory : inPlace, inPlace == null ? 0 : slot.offset, slot.length);
                } else {
                    read(inPlace == null ? slot.chunkView() : inPlace.asSlice(slot.offset, slot.length).asByteBuffer(), slot);
                }
                if (checksums != null) {
                    crc.reset();
                    crc.update(inPlace == null ? slot.chunkView() : inPlace.asSlice(slot.offset, slot.length).asByteBuffer());
                    checksums.put(slot.chunk, (int) crc.getValue());
                }
            }
        }
        // Release this sequence now rather than at the end of the batch, so the sink stage can start on this chunk
        // while this reader fills its next one; the set is a release store that publishes the slot's bytes.
        sequence.set(seq);
        if (mine || endOfBatch) {
            run.waitStrategy().readerAdvanced();
        }
    }

    /** Reads the slot's chunk of the file into {@code buffer}, from its position 0 to its limit (positional reads). */
    private void read(ByteBuffer buffer, StagingSlot slot) {
        try {
            while (buffer.hasRemaining()) {
                long position = slot.offset + buffer.position();
                if (file.read(buffer, position) < 0) {
                    throw new StoreException(run.describeSource() + " is shorter than the " + run.size()
                            + " bytes expected: a read at byte " + position + " found its end (was it replaced while it streamed?)");
                }
            }
        } catch (IOException e) {
            throw new StoreException("reading " + run.describeSource() + " at byte " + slot.offset + " failed: " + e, e);
        }
    }

    static MemorySegment memoryOf(ChunkSource source) {
        return source instanceof ChunkSource.Memory m ? m.bytes() : null;
    }
}
