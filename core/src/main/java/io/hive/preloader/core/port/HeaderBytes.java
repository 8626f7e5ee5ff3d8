package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;

/**
 * The first bytes of one version of a model's file, open until closed, so that core can check its header before the
 * model is admitted without doing I/O itself: {@link ModelSource#header} opens it, the GGUF reader asks for as much as
 * the header takes, and the tensor data is never read.
 */
public interface HeaderBytes extends AutoCloseable {

    /**
     * At least the file's first {@code length} bytes, or all of it when it is shorter (more is fine: a mapping of the
     * whole file, of which only what is read is touched); read-only, valid until {@link #close}.
     *
     * @throws StoreException naming the file when it cannot be read
     */
    MemorySegment first(long length);

    /** Frees what the bytes took (a buffer, a mapping); the segments handed out must not be used after. */
    @Override
    void close();
}
