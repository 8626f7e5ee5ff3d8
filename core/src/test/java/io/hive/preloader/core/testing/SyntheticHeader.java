package io.hive.preloader.core.testing;

import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.HeaderBytes;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** The first bytes of a model that exists only as a size: a valid GGUF header whose one tensor fills the file. */
public final class SyntheticHeader implements HeaderBytes {
    private final byte[] header;
    private final long size;

    private SyntheticHeader(byte[] header, long size) {
        this.header = header;
        this.size = size;
    }

    /** A valid model of this size. */
    public static SyntheticHeader valid(ModelDescriptor model) {
        ByteBuffer bytes = GgufWriter.headerFilling(model.size(), "fake");
        byte[] header = new byte[bytes.remaining()];
        bytes.get(header);
        return new SyntheticHeader(header, model.size());
    }

    /** A file of this size that starts with these bytes (and zeros after). */
    public static SyntheticHeader of(byte[] start, long size) {
        return new SyntheticHeader(start.clone(), size);
    }

    @Override
    public MemorySegment first(long length) {
        return MemorySegment.ofArray(Arrays.copyOf(header, (int) Math.min(size, Math.max(length, header.length)))).asReadOnly();
    }

    @Override
    public void close() {
    }
}
