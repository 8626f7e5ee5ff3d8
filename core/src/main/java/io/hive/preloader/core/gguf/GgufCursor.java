package io.hive.preloader.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Little-endian reads over an untrusted file; every read checks that the bytes are there before it takes them. */
final class GgufCursor {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment file;
    private final long size;
    private long position;

    GgufCursor(MemorySegment file) {
        this.file = file;
        this.size = file.byteSize();
    }

    long position() {
        return position;
    }

    long remaining() {
        return size - position;
    }

    long size() {
        return size;
    }

    GgufFormatException error(String problem) {
        return new GgufFormatException(position, problem);
    }

    void require(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw error("file ends before " + what + " (needs " + Long.toUnsignedString(bytes) + " bytes, "
                    + remaining() + " left of " + size + ")");
        }
    }

    /** Checks that {@code bytes} are there and moves past them; returns where they start. */
    private long take(int bytes, String what) {
        require(bytes, what);
        long at = position;
        position += bytes;
        return at;
    }

    int u8(String what) {
        return Byte.toUnsignedInt(file.get(U8, take(1, what)));
    }

    int u16(String what) {
        return Short.toUnsignedInt(file.get(U16, take(2, what)));
    }

    /** An unsigned 32-bit field, widened so that values above 2^31 stay positive. */
    long u32(String what) {
        return Integer.toUnsignedLong(file.get(U32, take(4, what)));
    }

    /** A 64-bit field as stored; callers treat a negative result as a count beyond 2^63. */
    long u64(String what) {
        return file.get(U64, take(8, what));
    }

    /** A count, length or dimension: a {@code uint32_t} in version 1 of the format, a {@code uint64_t} after. */
    long count(boolean v1, String what) {
        return v1 ? u32(what) : u64(what);
    }

    float f32(String what) {
        return file.get(F32, take(4, what));
    }

    double f64(String what) {
        return file.get(F64, take(8, what));
    }

    /** A {@code gguf_string_t}: length ({@code u32} in version 1, {@code u64} after) then UTF-8 bytes, no NUL. */
    String string(boolean shortLength, String what) {
        long start = position;
        long length = count(shortLength, what + " length");
        if (length < 0 || length > remaining()) {
            position = start;
            throw error(what + " length " + Long.toUnsignedString(length) + " exceeds the " + (remaining() - (shortLength ? 4 : 8))
                    + " bytes left in the file");
        }
        byte[] bytes = file.asSlice(position, length).toArray(U8);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
            position += length;
            return s;
        } catch (CharacterCodingException e) {
            throw error(what + " is not valid UTF-8");
        }
    }
}
