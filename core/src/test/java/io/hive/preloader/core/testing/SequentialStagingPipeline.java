package io.hive.preloader.core.testing;

import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.StagedTransfer;
import io.hive.preloader.core.port.StagingPipeline;
import io.hive.preloader.core.port.StoreException;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * The staging contract done the simplest way, on the calling thread: the reference the contract suite is checked
 * against, and the pipeline core's own tests use. It counts its live staging slots and says whether it was closed.
 */
public final class SequentialStagingPipeline implements StagingPipeline {
    private final long chunkSize;
    private final int slots;
    private final AtomicInteger liveSlots = new AtomicInteger();
    private volatile boolean closed;

    public SequentialStagingPipeline(long chunkSize, int slots) {
        this.chunkSize = chunkSize;
        this.slots = slots;
    }

    @Override
    public String name() {
        return "sequential";
    }

    @Override
    public long chunkSize() {
        return chunkSize;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int readers() {
        return 1;
    }

    public int liveSlots() {
        return liveSlots.get();
    }

    public boolean closed() {
        return closed;
    }

    /** It keeps no staging between transfers, so it runs on after being closed; it only remembers the close. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public java.time.Duration run(StagedTransfer job) {
        DeviceWriter target = job.target();
        long size = job.source().size();
        int chunks = (int) ((size + chunkSize - 1) / chunkSize);
        Optional<HostRegistration> registration = Optional.empty();
        FileChannel channel = null;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment staging = arena.allocate(chunkSize * slots, 4096);
            liveSlots.addAndGet(slots);
            try {
                registration = job.sink().register(staging, target.device());
                if (job.source() instanceof ChunkSource.ModelFile file) {
                    try {
                        channel = FileChannel.open(file.path(), StandardOpenOption.READ);
                    } catch (IOException e) {
                        throw new StoreException("opening " + file.path() + " failed: " + e, e);
                    }
                }
                CRC32C crc = new CRC32C();
                long start = System.nanoTime();
                long[] inFlight = new long[slots];
                long done = 0;
                for (int chunk = 0; chunk < chunks; chunk++) {
                    int slot = chunk % slots;
                    if (chunk >= slots) {
                        target.await(slot);
                        done += inFlight[slot];
                        job.progress().advanced(done, size);
                    }
                    if (Thread.currentThread().isInterrupted()) {
                        job.cancellation().cancel("interrupted");
                    }
                    job.cancellation().throwIfCancelled("transfer of " + job.model());
                    long offset = chunk * chunkSize;
                    long length = Math.min(chunkSize, size - offset);
                    MemorySegment slice = staging.asSlice(slot * chunkSize, length);
                    fill(job.source(), channel, offset, slice);
                    if (job.checksums().isPresent()) {
                        job.checksums().get().put(chunk, ChunkChecksums.crc32c(crc, slice));
                    }
                    target.copy(offset, slice, slot);
                    inFlight[slot] = length;
                }
                for (int chunk = Math.max(0, chunks - slots); chunk < chunks; chunk++) {
                    target.await(chunk % slots);
                    done += inFlight[chunk % slots];
                    job.progress().advanced(done, size);
                }
                return java.time.Duration.ofNanos(System.nanoTime() - start);
            } finally {
                target.awaitAll();
                registration.ifPresent(HostRegistration::close);
                liveSlots.addAndGet(-slots);
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // read-only: nothing was lost
                    }
                }
            }
        }
    }

    private static void fill(ChunkSource source, FileChannel channel, long offset, MemorySegment slice) {
        switch (source) {
            case ChunkSource.Memory memory -> MemorySegment.copy(memory.bytes(), offset, slice, 0, slice.byteSize());
            case ChunkSource.ModelFile file -> {
                ByteBuffer buffer = slice.asByteBuffer();
                try {
                    while (buffer.hasRemaining()) {
                        if (channel.read(buffer, offset + buffer.position()) < 0) {
                            throw new EOFException("ends at byte " + (offset + buffer.position()) + " of " + file.size());
                        }
                    }
                } catch (IOException e) {
                    throw new StoreException("reading " + file.path() + " failed: " + e.getMessage(), e);
                }
            }
        }
    }
}
