package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.ParallelRanges;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * Reads a file into native memory in large chunks, each straight into its slice of the target: no heap copy and
 * no intermediate buffer. With O_DIRECT every read must start at a block boundary and ask for whole blocks, so
 * the reader asks for the file's size rounded up to the block and accepts the short read at the end of the file.
 *
 * <p>Several threads may read at once ({@link ParallelRanges}), each taking the next chunk in turn with positional
 * reads; chunks start at multiples of the chunk size, so every read still starts on a block. Each chunk taken is told
 * to {@code claimed} first, so that a {@code Prefaulter} faulting the target ahead goes past it, and each chunk read
 * to the load's content check, which hashes it behind the readers.
 */
final class ChunkedReader {
    static final int CHUNK = 64 << 20;

    private ChunkedReader() {
    }

    /**
     * Reads the first {@code size} bytes of the file into {@code target}, reporting progress from this thread: 0, then
     * after each chunk it read, last exactly {@code size}.
     *
     * @param requestLimit how far reads may reach into {@code target}: {@code size}, or size rounded up to the
     *                     block for O_DIRECT
     * @param chunk        bytes per read: {@link #CHUNK}, or less in tests; a multiple of the block for O_DIRECT
     * @param threads      how many threads read, this one included; more than one only pays off for large files
     * @param claimed      told the end of each chunk as a thread takes it
     * @param hashing      told each chunk once it is read
     */
    static void read(FileChannel channel, Path file, MemorySegment target, long size, long requestLimit, int chunk,
                     int threads, LongConsumer claimed, LoadProgress progress, ContentCheck.Hashing hashing) {
        ParallelRanges.run("buffer-reader " + file, size, chunk, threads, (start, end) -> {
            claimed.accept(start + chunk);
            readChunk(channel, file, target, size, start, Math.min(start + chunk, requestLimit));
            hashing.filled(start, end);
        }, progress);
    }

    /** Reads {@code [start, end)} of the file into the same bytes of {@code target}; short only at the file's end. */
    private static void readChunk(FileChannel channel, Path file, MemorySegment target, long size, long start, long end) {
        long position = start;
        long wanted = Math.min(end, size);
        try {
            while (position < wanted) {
                int read = channel.read(target.asSlice(position, end - position).asByteBuffer(), position);
                if (read <= 0) {
                    throw new StoreException(file + " changed since it was looked up: it ended after " + position
                            + " bytes, not " + size);
                }
                position += read;
            }
        } catch (IOException e) {
            throw new StoreException("reading " + file + " at byte " + position + " failed: " + e.getMessage(), e);
        }
    }
}
