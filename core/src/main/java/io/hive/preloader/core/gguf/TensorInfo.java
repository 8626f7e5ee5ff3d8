package io.hive.preloader.core.gguf;

import java.util.List;

/** One tensor's entry in the header; {@code offset} is relative to the data section. */
public record TensorInfo(String name, List<Long> dimensions, GgmlType type, long offset, long byteSize) {
    public TensorInfo {
        dimensions = List.copyOf(dimensions);
    }
}
