package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads a file into native memory in large chunks, each straight into its slice of the target: no heap copy and
 * no intermediate buffer. With O_DIRECT every read must start at a block boundary and ask for whole blocks, so
 * the reader asks for the file's size rounded up to the block and accepts the short read at the end of the file.
 */
final class ChunkedReader {
    static final int CHUNK = 64 << 20;

    private ChunkedReader() {
    }

    /**
     * Reads the first {@code size} bytes of the file into {@code target}, reporting progress after every chunk and
     * last exactly {@code size}.
     *
     * @param requestLimit how far reads may reach into {@code target}: {@code size}, or size rounded up to the
     *                     block for O_DIRECT
     */
    static void read(FileChannel channel, Path file, MemorySegment target, long size, long requestLimit, LoadProgress progress) {
        long position = 0;
        try {
            while (position < size) {
                long length = Math.min(CHUNK, requestLimit - position);
                int read = channel.read(target.asSlice(position, length).asByteBuffer(), position);
                if (read <= 0) {
                    throw new StoreException(file + " changed since it was looked up: it ended after " + position
                            + " bytes, not " + size);
                }
                position += read;
                progress.advanced(Math.min(position, size), size);
            }
        } catch (IOException e) {
            throw new StoreException("reading " + file + " at byte " + position + " failed: " + e.getMessage(), e);
        }
        if (size == 0) {
            progress.advanced(0, 0);
        }
    }
}
