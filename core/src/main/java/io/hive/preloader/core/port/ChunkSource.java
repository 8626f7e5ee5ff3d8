package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Objects;

/** Where a staged transfer reads a model's bytes: resident memory, or the model file itself. */
public sealed interface ChunkSource {

    long size();

    /** A resident model's bytes (held by a lease for the whole transfer). */
    record Memory(MemorySegment bytes) implements ChunkSource {
        public Memory {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public long size() {
            return bytes.byteSize();
        }
    }

    /** The model file, read straight from disk: exactly {@code size} bytes are expected. */
    record ModelFile(Path path, long size) implements ChunkSource {
        public ModelFile {
            Objects.requireNonNull(path, "path");
            if (size < 0) {
                throw new IllegalArgumentException("size is negative: " + size);
            }
        }
    }
}
