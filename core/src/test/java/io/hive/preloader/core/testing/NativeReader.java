package io.hive.preloader.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.CompletableFuture;

/**
 * A reader inside a native call on a model's bytes, as a transfer's copy or a {@code write} from the bytes would be:
 * a thread blocked writing the segment into a pipe that nobody drains. While it lasts, the segment's arena is held by
 * that call and closing the arena fails ({@code IllegalStateException}: the session is acquired); {@link #close}
 * drains the pipe, so that the write ends and lets the arena go.
 */
public final class NativeReader implements AutoCloseable {
    /** More than a pipe holds (64 KiB on Linux), so that the write blocks until drained. */
    public static final long AT_LEAST = 1 << 20;

    private final Pipe pipe;
    private final CompletableFuture<Long> written;

    private NativeReader(Pipe pipe, CompletableFuture<Long> written) {
        this.pipe = pipe;
        this.written = written;
    }

    /** Starts the write of {@code bytes} ({@link #AT_LEAST} of them or more) and returns once it is inside the call. */
    public static NativeReader holding(MemorySegment bytes) {
        if (bytes.byteSize() < AT_LEAST) {
            throw new IllegalArgumentException(bytes.byteSize() + " bytes fit in a pipe: the write would not block");
        }
        try {
            Pipe pipe = Pipe.open();
            CompletableFuture<Long> written = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("native-reader").start(() -> {
                try (Pipe.SinkChannel sink = pipe.sink()) { // closed at the end, so that the drain sees it
                    ByteBuffer buffer = bytes.asByteBuffer();
                    long total = 0;
                    while (buffer.hasRemaining()) {
                        total += sink.write(buffer);
                    }
                    written.complete(total);
                } catch (IOException | RuntimeException e) {
                    written.completeExceptionally(e);
                }
            });
            // The first byte in the pipe: the writer is inside its write, which holds the arena until it returns.
            ByteBuffer first = ByteBuffer.allocate(1);
            while (first.hasRemaining()) {
                if (pipe.source().read(first) < 0) {
                    throw new IllegalStateException("the pipe closed before the write began");
                }
            }
            return new NativeReader(pipe, written);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Drains the pipe until the write has returned; then the arena is free to close. */
    @Override
    public void close() {
        ByteBuffer drained = ByteBuffer.allocate(1 << 16);
        try (Pipe.SourceChannel source = pipe.source()) {
            while (source.read(drained.clear()) >= 0) {
                // until the writer, done, closes its end
            }
            written.join();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
