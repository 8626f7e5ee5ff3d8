package io.hive.preloader.core.gguf;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything before a GGUF file's tensor data, validated against the file's size. */
public record GgufHeader(
        int version,
        long tensorCount,
        long kvCount,
        Map<String, GgufValue> metadata,
        List<TensorInfo> tensors,
        int alignment,
        long dataOffset,
        long fileSize) {

    public static final int DEFAULT_ALIGNMENT = 32;

    public GgufHeader {
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    public Optional<String> string(String key) {
        return get(key).filter(GgufValue.Str.class::isInstance).map(v -> ((GgufValue.Str) v).value());
    }

    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /** Bytes of tensor data the tensor infos describe (their sizes, not counting padding between them). */
    public long tensorBytes() {
        long sum = 0;
        for (TensorInfo t : tensors) {
            sum += t.byteSize();
        }
        return sum;
    }
}
