package io.hive.preloader.core.gguf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates a GGUF header from a mapped (or copied) file. Nothing is allocated for a count or a length
 * before it has been checked against the bytes left in the file, so a hostile header cannot make it allocate
 * more than the file's size.
 */
public final class GgufReader {
    private static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    private static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 8;

    /** The first prefix {@link #read(long, Prefix)} asks for: the header of most models, vocabulary included. */
    static final long FIRST_PREFIX = 1L << 20;
    /** The longest header read from a prefix: past it a file is refused (real headers, vocabularies and all, are tens of MiB). */
    public static final long MAX_HEADER = 1L << 30;

    private GgufReader() {
    }

    /** The first bytes of one file, however the caller reaches them (a read, a mapping). */
    @FunctionalInterface
    public interface Prefix {
        /** At least the file's first {@code length} bytes (more is fine; fewer only at the file's end), read-only. */
        MemorySegment first(long length);
    }

    /** Reads and validates the header of a whole file in memory (mapped or copied). */
    public static GgufHeader read(MemorySegment file) {
        return parse(new GgufCursor(file, file.byteSize()), Values.KEPT);
    }

    /**
     * Reads and validates the header of a file of {@code fileSize} bytes from its first bytes only, asking {@code prefix}
     * for more while the header goes on: the tensor data is never read. Every check is against the real size, so a
     * file is refused, at the same byte and with the same words, as {@link #read(MemorySegment)} refuses it whole.
     *
     * @throws GgufFormatException also for a header longer than {@value #MAX_HEADER} bytes
     */
    public static GgufHeader read(long fileSize, Prefix prefix) {
        return read(fileSize, prefix, FIRST_PREFIX);
    }

    /**
     * Checks a file's header from its first bytes as {@link #read(long, Prefix)} reads it, with the same refusals at the
     * same bytes, but keeps no metadata arrays: their elements are checked (in bounds, strings well-formed UTF-8), not
     * made into values. Admission asks only for the verdict, and a vocabulary is three arrays of tens of thousands of
     * elements, most of a header's reading.
     */
    public static void check(long fileSize, Prefix prefix) {
        read(fileSize, prefix, FIRST_PREFIX, Values.CHECKED);
    }

    /** What becomes of a metadata array's elements: kept as values, or only checked. */
    enum Values { KEPT, CHECKED }

    /** As {@link #read(long, Prefix)}, asking first for {@code first} bytes (tests ask for few, to see it ask again). */
    static GgufHeader read(long fileSize, Prefix prefix, long first) {
        return read(fileSize, prefix, first, Values.KEPT);
    }

    static GgufHeader read(long fileSize, Prefix prefix, long first, Values values) {
        long length = Math.min(fileSize, first);
        while (true) {
            MemorySegment bytes = prefix.first(length);
            long have = Math.min(bytes.byteSize(), fileSize);
            try {
                return parse(new GgufCursor(bytes.asSlice(0, have), fileSize), values);
            } catch (GgufCursor.PrefixTooShort more) {
                if (have < length) {
                    throw new GgufFormatException(have, "the file ends at byte " + have + ", not at its size " + fileSize
                            + " (it shrank while it was read)");
                }
                if (more.needed > MAX_HEADER) {
                    throw new GgufFormatException(have, "the header goes on past " + (MAX_HEADER >> 20)
                            + " MiB, more than a model's header takes; not read further");
                }
                length = Math.min(fileSize, Math.max(more.needed, Math.min(MAX_HEADER, 4 * length)));
            }
        }
    }

    private static GgufHeader parse(GgufCursor in, Values values) {

        // uint32_t magic;
        long magic = in.u32("the magic");
        if (magic != MAGIC) {
            throw new GgufFormatException(0, String.format("not a GGUF file: magic is 0x%08x, expected \"GGUF\"", magic));
        }
        // uint32_t version;
        long version = in.u32("the version");
        if (version != 1 && version != 2 && version != 3) {
            String hint = Integer.reverseBytes((int) version) >= 1 && Integer.reverseBytes((int) version) <= 3
                    ? " (a big-endian GGUF file, which is not supported)" : " (supported: 1, 2, 3)";
            throw new GgufFormatException(4, "unsupported GGUF version " + version + hint);
        }
        // Version 1 stored counts and lengths as uint32_t; later versions as uint64_t.
        boolean v1 = version == 1;

        // uint64_t tensor_count; uint64_t metadata_kv_count;
        long tensorCount = in.count(v1, "the tensor count");
        long kvCount = in.count(v1, "the metadata count");
        checkCount(in, kvCount, "metadata key-value pairs", (v1 ? 4 : 8) + 4 + 1);
        checkCount(in, tensorCount, "tensors", (v1 ? 4 : 8) + 4 + 4 + 8);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = in.position();
            // gguf_string_t key;
            String key = in.string(v1, "key of metadata pair " + i);
            if (key.isEmpty()) {
                throw new GgufFormatException(keyAt, "metadata pair " + i + " has an empty key");
            }
            // gguf_metadata_value_type value_type;
            GgufValueType type = valueType(in, "type of '" + key + "'");
            GgufValue value = readValue(in, type, v1, key, 0, values);
            if (metadata.putIfAbsent(key, value) != null) {
                throw new GgufFormatException(keyAt, "duplicate metadata key '" + key + "'");
            }
        }

        int alignment = alignment(metadata);

        List<TensorInfo> tensors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Long> infoOffsets = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            long infoAt = in.position();
            infoOffsets.add(infoAt);
            // gguf_string_t name;
            String name = in.string(v1, "name of tensor " + i);
            if (!names.add(name)) {
                throw new GgufFormatException(infoAt, "duplicate tensor name '" + name + "'");
            }
            // uint32_t n_dimensions;
            long nDims = in.u32("dimension count of tensor '" + name + "'");
            if (nDims > MAX_DIMS) {
                throw in.error("tensor '" + name + "' has " + nDims + " dimensions (at most " + MAX_DIMS + ")");
            }
            // uint64_t dimensions[n_dimensions];
            List<Long> dims = new ArrayList<>((int) nDims);
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dim = in.count(v1, "dimension of tensor '" + name + "'");
                if (dim < 0) {
                    throw new GgufFormatException(in.position() - 8, "tensor '" + name + "' has a dimension beyond 2^63");
                }
                dims.add(dim);
                try {
                    elements = Math.multiplyExact(elements, dim);
                } catch (ArithmeticException overflow) {
                    throw in.error("tensor '" + name + "' has more elements than fit in 64 bits");
                }
            }
            // ggml_type type;
            long typeCode = in.u32("type of tensor '" + name + "'");
            GgmlType type = GgmlType.ofCode(typeCode);
            if (type == null) {
                throw new GgufFormatException(in.position() - 4, "tensor '" + name + "' has unknown ggml type " + typeCode);
            }
            long bytes = type.byteSizeFor(elements);
            if (bytes < 0) {
                throw new GgufFormatException(in.position() - 4, "tensor '" + name + "' has " + elements
                        + " elements, not a whole number of " + type + " blocks of " + type.blockSize());
            }
            // uint64_t offset;
            long offset = in.u64("offset of tensor '" + name + "'");
            tensors.add(new TensorInfo(name, dims, type, offset, bytes));
        }

        long headerEnd = in.position();
        long dataOffset = alignUp(headerEnd, alignment);
        // A file of no tensors (a vocab file) may end right after its metadata, without the padding.
        if (tensorCount > 0 && (dataOffset < 0 || dataOffset > in.size())) {
            throw new GgufFormatException(headerEnd, "file ends before the data section at byte " + dataOffset);
        }
        checkTensorLayout(tensors, infoOffsets, alignment, in.size() - dataOffset);

        return new GgufHeader((int) version, tensorCount, kvCount, metadata, tensors, alignment, dataOffset, in.size());
    }

    private static void checkCount(GgufCursor in, long count, String what, int minBytesEach) {
        if (count < 0 || count > in.remaining() / minBytesEach) {
            throw new GgufFormatException(in.position() - 8, "header claims " + Long.toUnsignedString(count) + " " + what
                    + ", more than the " + in.remaining() + " bytes left can hold");
        }
    }

    private static GgufValueType valueType(GgufCursor in, String what) {
        long code = in.u32(what);
        GgufValueType type = GgufValueType.ofCode(code);
        if (type == null) {
            throw new GgufFormatException(in.position() - 4, what + " is " + code + ", not a GGUF value type (0-12)");
        }
        return type;
    }

    private static GgufValue readValue(GgufCursor in, GgufValueType type, boolean v1, String key, int depth, Values values) {
        return switch (type) {
            case UINT8 -> new GgufValue.Int(type, in.u8("value of '" + key + "'"));
            case INT8 -> new GgufValue.Int(type, (byte) in.u8("value of '" + key + "'"));
            case UINT16 -> new GgufValue.Int(type, in.u16("value of '" + key + "'"));
            case INT16 -> new GgufValue.Int(type, (short) in.u16("value of '" + key + "'"));
            case UINT32 -> new GgufValue.Int(type, in.u32("value of '" + key + "'"));
            case INT32 -> new GgufValue.Int(type, (int) in.u32("value of '" + key + "'"));
            case UINT64, INT64 -> new GgufValue.Int(type, in.u64("value of '" + key + "'"));
            case FLOAT32 -> new GgufValue.Float(type, in.f32("value of '" + key + "'"));
            case FLOAT64 -> new GgufValue.Float(type, in.f64("value of '" + key + "'"));
            case BOOL -> {
                long at = in.position();
                int b = in.u8("value of '" + key + "'");
                if (b > 1) {
                    throw new GgufFormatException(at, "bool '" + key + "' is " + b + ", not 0 or 1");
                }
                yield new GgufValue.Bool(b == 1);
            }
            case STRING -> new GgufValue.Str(in.string(v1, "value of '" + key + "'"));
            case ARRAY -> readArray(in, v1, key, depth, values);
        };
    }

    private static GgufValue readArray(GgufCursor in, boolean v1, String key, int depth, Values values) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw in.error("array '" + key + "' is nested deeper than " + MAX_ARRAY_NESTING + " levels");
        }
        // gguf_metadata_value_type type; uint64_t len; gguf_metadata_value_t array[len];
        GgufValueType elementType = valueType(in, "element type of array '" + key + "'");
        long countAt = in.position();
        long count = in.count(v1, "length of array '" + key + "'");
        if (count < 0 || count > in.remaining() / elementType.minBytes()) {
            throw new GgufFormatException(countAt, "array '" + key + "' claims " + Long.toUnsignedString(count) + " "
                    + elementType.name().toLowerCase() + " elements, more than the " + in.remaining() + " bytes left can hold");
        }
        if (values == Values.CHECKED && elementType != GgufValueType.ARRAY && elementType != GgufValueType.BOOL) {
            String what = "value of '" + key + "'";
            if (elementType == GgufValueType.STRING) {
                String lengthWhat = what + " length";
                for (long i = 0; i < count; i++) {
                    in.checkString(v1, what, lengthWhat);
                }
            } else {
                in.skip(count * elementType.minBytes(), what); // fixed-size elements, all inside the file (checked above)
            }
            return new GgufValue.Array(elementType, List.of());
        }
        List<GgufValue> elements = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            elements.add(readValue(in, elementType, v1, key, depth + 1, values));
        }
        return new GgufValue.Array(elementType, elements);
    }

    private static int alignment(Map<String, GgufValue> metadata) {
        GgufValue value = metadata.get("general.alignment");
        if (value == null) {
            return GgufHeader.DEFAULT_ALIGNMENT;
        }
        if (!(value instanceof GgufValue.Int(GgufValueType type, long a)) || type != GgufValueType.UINT32) {
            throw new GgufFormatException(0, "general.alignment must be a uint32, found " + value.type().name().toLowerCase());
        }
        if (a == 0 || Long.bitCount(a) != 1 || a > (1 << 30)) {
            throw new GgufFormatException(0, "general.alignment is " + a + ", not a power of two up to 2^30");
        }
        return (int) a;
    }

    /** Tensors must follow one another in order, each at the previous end padded to the alignment, as llama.cpp requires. */
    private static void checkTensorLayout(List<TensorInfo> tensors, List<Long> infoOffsets, int alignment, long dataSize) {
        long expected = 0;
        for (int i = 0; i < tensors.size(); i++) {
            TensorInfo t = tensors.get(i);
            long at = infoOffsets.get(i);
            if (t.offset() < 0 || t.offset() % alignment != 0) {
                throw new GgufFormatException(at, "tensor '" + t.name() + "' offset " + Long.toUnsignedString(t.offset())
                        + " is not a multiple of the alignment " + alignment);
            }
            if (t.offset() != expected) {
                throw new GgufFormatException(at, "tensor '" + t.name() + "' offset " + t.offset() + " is not where the previous tensor ends ("
                        + expected + ")");
            }
            long end = t.offset() + t.byteSize();
            if (end < 0 || end > dataSize) {
                throw new GgufFormatException(at, "tensor '" + t.name() + "' (" + t.byteSize() + " bytes at data offset " + t.offset()
                        + ") ends past the end of the file's " + dataSize + " data bytes");
            }
            expected = alignUp(end, alignment);
        }
    }

    /** Rounds up to a power-of-two alignment; negative when the result overflows. */
    static long alignUp(long value, long alignment) {
        long mask = alignment - 1;
        return value > Long.MAX_VALUE - mask ? -1 : (value + mask) & ~mask;
    }
}
