package io.hive.preloader.core.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out a version-3 GGUF file: metadata, tensor infos with their offsets, and the padding before the data
 * section. The caller writes {@link #header()} and then {@link #dataSize()} bytes of tensor data, tensor after
 * tensor at {@link TensorInfo#offset()}.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<TensorInfo> tensors = new ArrayList<>();
    private int alignment = GgufHeader.DEFAULT_ALIGNMENT;
    private long nextOffset;

    public GgufWriter put(String key, GgufValue value) {
        if (key.equals("general.alignment")) {
            if (!(value instanceof GgufValue.Int(GgufValueType t, long a)) || t != GgufValueType.UINT32 || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException("general.alignment must be a uint32 power of two");
            }
            if (!tensors.isEmpty()) {
                throw new IllegalStateException("set general.alignment before adding tensors");
            }
            alignment = (int) a;
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter put(String key, String value) {
        return put(key, new GgufValue.Str(value));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, new GgufValue.Int(GgufValueType.UINT32, value));
    }

    public GgufWriter putFloat32(String key, double value) {
        return put(key, new GgufValue.Float(GgufValueType.FLOAT32, value));
    }

    public GgufWriter tensor(String name, GgmlType type, long... dims) {
        long elements = 1;
        List<Long> dimensions = new ArrayList<>();
        for (long d : dims) {
            elements = Math.multiplyExact(elements, d);
            dimensions.add(d);
        }
        long bytes = type.byteSizeFor(elements);
        if (bytes < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': " + elements + " elements is not a whole number of " + type + " blocks");
        }
        tensors.add(new TensorInfo(name, dimensions, type, nextOffset, bytes));
        nextOffset = GgufReader.alignUp(nextOffset + bytes, alignment);
        return this;
    }

    public List<TensorInfo> tensors() {
        return List.copyOf(tensors);
    }

    /** Bytes of the data section, the padding after the last tensor included. */
    public long dataSize() {
        return nextOffset;
    }

    /**
     * The header of a valid file of exactly {@code fileSize} bytes whose data is one tensor of raw bytes filling it:
     * what stands for a model where only its size matters (a simulation, a test's fake). A file too small for that
     * gets a header of no tensors, as a vocabulary file has.
     */
    public static ByteBuffer headerFilling(long fileSize, String architecture) {
        GgufWriter probe = new GgufWriter().put("general.architecture", architecture).tensor("bytes", GgmlType.I8, 1);
        long headerSize = probe.header().remaining();
        GgufWriter writer = new GgufWriter().put("general.architecture", architecture);
        if (fileSize >= headerSize) {
            writer.tensor("bytes", GgmlType.I8, fileSize - headerSize);
        }
        return writer.header();
    }

    /** The header bytes, padded up to the alignment so that tensor data starts right after them. */
    public ByteBuffer header() {
        Encoder out = new Encoder();
        out.u32(0x46554747); // "GGUF"
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        metadata.forEach((key, value) -> {
            out.string(key);
            out.u32(value.type().code());
            out.value(value);
        });
        for (TensorInfo t : tensors) {
            out.string(t.name());
            out.u32(t.dimensions().size());
            t.dimensions().forEach(out::u64);
            out.u32(t.type().code());
            out.u64(t.offset());
        }
        while (out.size() % alignment != 0) {
            out.bytes.write(0);
        }
        return ByteBuffer.wrap(out.bytes.toByteArray());
    }

    private static final class Encoder {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int size() {
            return bytes.size();
        }

        /** The low {@code count} bytes of {@code v}, least significant first (GGUF is little-endian). */
        void little(long v, int count) {
            for (int i = 0; i < count; i++) {
                bytes.write((int) (v >>> (8 * i)));
            }
        }

        void u32(long v) {
            little(v, 4);
        }

        void u64(long v) {
            little(v, 8);
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            bytes.write(utf8, 0, utf8.length);
        }

        void value(GgufValue value) {
            switch (value) {
                case GgufValue.Int i -> {
                    switch (i.type()) {
                        case UINT8, INT8 -> little(i.value(), 1);
                        case UINT16, INT16 -> little(i.value(), 2);
                        case UINT32, INT32 -> u32(i.value());
                        default -> u64(i.value());
                    }
                }
                case GgufValue.Float f -> {
                    if (f.type() == GgufValueType.FLOAT32) {
                        u32(java.lang.Float.floatToRawIntBits((float) f.value()));
                    } else {
                        u64(Double.doubleToRawLongBits(f.value()));
                    }
                }
                case GgufValue.Bool b -> bytes.write(b.value() ? 1 : 0);
                case GgufValue.Str s -> string(s.value());
                case GgufValue.Array a -> {
                    u32(a.elementType().code());
                    u64(a.elements().size());
                    a.elements().forEach(this::value);
                }
            }
        }
    }
}
