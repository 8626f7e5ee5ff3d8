package io.hive.preloader.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian reads over an untrusted file; every read checks that the bytes are there before it takes them. The
 * bytes may be only the file's first ones (its header): every check is against the file's real size, so a refusal
 * says what it would say over the whole file, and a read that needs bytes past the prefix but inside the file asks
 * for more ({@link PrefixTooShort}) rather than failing.
 */
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

    /** The prefix ended before the header did: at least {@code needed} of the file's first bytes are wanted. */
    static final class PrefixTooShort extends RuntimeException {
        final long needed;

        PrefixTooShort(long needed) {
            super("the header goes on past byte " + needed, null, false, false);
            this.needed = needed;
        }
    }

    /** @param prefix the file's first bytes, all of them or fewer; {@code fileSize} is the whole file's */
    GgufCursor(MemorySegment prefix, long fileSize) {
        if (fileSize < prefix.byteSize()) {
            throw new IllegalArgumentException("a prefix of " + prefix.byteSize() + " bytes is longer than the file's " + fileSize);
        }
        this.file = prefix;
        this.size = fileSize;
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
        if (position + bytes > file.byteSize()) {
            throw new PrefixTooShort(position + bytes);
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
        long length = stringLength(shortLength, what, what + " length");
        byte[] bytes = file.asSlice(position, length).toArray(U8);
        // The JDK's lenient decoding is fast and puts U+FFFD for every malformed sequence; only a string that has one
        // (malformed, or a real U+FFFD) is checked byte by byte. A vocabulary is tens of thousands of strings.
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0 && !Utf8.wellFormed(file, position, length)) {
            throw error(what + " is not valid UTF-8");
        }
        position += length;
        return s;
    }

    /** Checks a {@code gguf_string_t} as {@link #string} reads it, the same refusals at the same bytes, and moves past it. */
    void checkString(boolean shortLength, String what, String lengthWhat) {
        long length = stringLength(shortLength, what, lengthWhat);
        if (!Utf8.wellFormed(file, position, length)) {
            throw error(what + " is not valid UTF-8");
        }
        position += length;
    }

    /** Reads a string's length and checks that its bytes are there; the position is left at its first byte. */
    private long stringLength(boolean shortLength, String what, String lengthWhat) {
        long start = position;
        long length = count(shortLength, lengthWhat);
        if (length < 0 || length > remaining()) {
            position = start;
            throw error(what + " length " + Long.toUnsignedString(length) + " exceeds the " + (remaining() - (shortLength ? 4 : 8))
                    + " bytes left in the file");
        }
        require(length, what);
        return length;
    }

    /** Checks that {@code bytes} are there and moves past them. */
    void skip(long bytes, String what) {
        if (bytes > remaining()) {
            require(bytes, what);
        }
        // Asks for a byte past the prefix, not for the whole run: a prefix grows as it does for elements read one by
        // one, so a header too long to read is refused at the same byte.
        require(Math.min(bytes, file.byteSize() - position + 1), what);
        position += bytes;
    }
}
