package io.hive.preloader.core.gguf;

/** The {@code gguf_type} of a metadata value; {@link #minBytes} is what one element occupies at the least. */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4),
    BOOL(7, 1), STRING(8, 8), ARRAY(9, 12), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private static final GgufValueType[] BY_CODE = values();

    private final int code;
    private final int minBytes;

    GgufValueType(int code, int minBytes) {
        this.code = code;
        this.minBytes = minBytes;
    }

    public int code() {
        return code;
    }

    /** The fewest bytes one value of this type takes in a file (a string's length field, an array's type and count). */
    int minBytes() {
        return minBytes;
    }

    static GgufValueType ofCode(long code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }
}
