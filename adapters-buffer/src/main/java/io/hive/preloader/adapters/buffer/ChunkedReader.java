package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads a file into native memory in large chunks, each straight into its slice of the target: no heap copy and
 * no intermediate buffer. With O_DIRECT every read must start at a block boundary and ask for whole blocks, so
 * the reader asks for the file's size rounded up to the block and accepts the short read at the end of the file.
 *
 * <p>Several threads may read at once, each taking the next chunk in turn with positional reads; chunks start at
 * multiples of the chunk size, so every read still starts on a block. Progress is the total read so far, reported
 * in increasing order from whichever thread finished a chunk.
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
     * @param chunk        bytes per read: {@link #CHUNK}, or less in tests; a multiple of the block for O_DIRECT
     * @param threads      how many threads read, this one included; more than one only pays off for large files
     */
    static void read(FileChannel channel, Path file, MemorySegment target, long size, long requestLimit, int chunk,
                     int threads, LoadProgress progress) {
        read(channel, file, target, size, requestLimit, chunk, threads, progress, ContentCheck.NONE.start(target));
    }

    /** As the method above, telling {@code hashing} of each chunk once it is read. */
    static void read(FileChannel channel, Path file, MemorySegment target, long size, long requestLimit, int chunk,
                     int threads, LoadProgress progress, ContentCheck.Hashing hashing) {
        if (size == 0) {
            progress.advanced(0, 0);
            return;
        }
        Job job = new Job(channel, file, target, size, requestLimit, chunk, progress, hashing);
        int extra = (int) Math.min(threads - 1, (size - 1) / chunk);
        if (extra <= 0) {
            job.run();
            job.rethrow();
            return;
        }
        List<Thread> helpers = new ArrayList<>(extra);
        for (int i = 0; i < extra; i++) {
            helpers.add(Thread.ofPlatform().name("buffer-reader-" + (i + 1)).daemon().start(job::run));
        }
        job.run();
        boolean interrupted = false;
        for (Thread helper : helpers) {
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the helpers' reads must end before the caller may free the target
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        job.rethrow();
    }

    /** The shared state of one read: the next chunk to take, the bytes done, and the first failure. */
    private static final class Job implements Runnable {
        private final FileChannel channel;
        private final Path file;
        private final MemorySegment target;
        private final long size;
        private final long requestLimit;
        private final long chunk;
        private final LoadProgress progress;
        private final ContentCheck.Hashing hashing;
        private final AtomicLong nextChunk = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private long done; // guarded by this

        Job(FileChannel channel, Path file, MemorySegment target, long size, long requestLimit, long chunk, LoadProgress progress,
            ContentCheck.Hashing hashing) {
            this.channel = channel;
            this.file = file;
            this.target = target;
            this.size = size;
            this.requestLimit = requestLimit;
            this.chunk = chunk;
            this.progress = progress;
            this.hashing = hashing;
        }

        @Override
        public void run() {
            try {
                long start;
                while (failure.get() == null && (start = nextChunk.getAndIncrement() * chunk) < size) {
                    readChunk(start, Math.min(start + chunk, requestLimit));
                }
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e); // the first one; the others are its consequences or the same cause
            }
        }

        private void readChunk(long start, long end) {
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
            hashing.filled(start, Math.min(position, size));
            synchronized (this) {
                done += Math.min(position, size) - start;
                progress.advanced(done, size);
            }
        }

        /** Throws the first failure of any thread, as it was thrown: a StoreException, or an Error. */
        void rethrow() {
            switch (failure.get()) {
                case null -> { }
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                case Throwable t -> throw new IllegalStateException(t);
            }
        }
    }
}
