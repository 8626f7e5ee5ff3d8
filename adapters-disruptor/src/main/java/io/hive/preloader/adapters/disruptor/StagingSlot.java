package io.hive.preloader.adapters.disruptor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One entry of the ring: a staging chunk of host memory, made once per transfer, and the chunk it carries now.
 * The producer writes the chunk fields before it publishes the sequence; each stage writes its own flags before it
 * advances its sequence; the Disruptor's sequences (release on set, acquire on read) order those writes for the
 * stages after it, so no field needs to be volatile.
 */
final class StagingSlot {
    /** The slot's place in the ring, which is also its lane on the target writer. */
    final int index;
    /** The whole staging chunk; null when the pipeline fills the target in place. */
    final MemorySegment memory;
    /** The same memory as a buffer, for positional file reads and CRC32C: its position and limit are per chunk. */
    final ByteBuffer view;

    int chunk;
    long offset;
    long length;
    /** The sentinel after the last chunk: every stage lets it through, the last one signals the end. */
    boolean end;
    /** Set by a reader that did not fill the slot (the transfer was failing or cancelled). */
    boolean skipped;
    /** Set by the sink stage once a copy from this slot has started: the completion stage must await it. */
    boolean copying;

    StagingSlot(int index, MemorySegment memory) {
        this.index = index;
        this.memory = memory;
        this.view = memory == null ? null : memory.asByteBuffer();
    }

    void carry(int chunk, long offset, long length) {
        this.chunk = chunk;
        this.offset = offset;
        this.length = length;
        this.end = false;
        this.skipped = false;
        this.copying = false;
    }

    void carryEnd() {
        carry(-1, 0, 0);
        this.end = true;
    }

    /** The bytes of the current chunk: the whole slot, or a slice of it for the last, shorter chunk. */
    MemorySegment bytes() {
        return length == memory.byteSize() ? memory : memory.asSlice(0, length);
    }

    /** The buffer view limited to the current chunk, from its start. */
    ByteBuffer chunkView() {
        return view.clear().limit((int) length);
    }
}
