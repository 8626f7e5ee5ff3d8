package io.hive.preloader.core.port;

import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;
import java.util.zip.CRC32C;

/**
 * CRC32C of a model's bytes, one value per chunk of a fixed size (the last chunk may be shorter), so that chunks
 * hashed by several threads in any order still give the whole model's CRC32C ({@link #whole()}, the value
 * {@code crc32c} of the file prints), and a mismatch names the chunk where it is.
 *
 * <p>Each chunk's value is written once by the thread that hashed it and read after the transfer completes; the
 * transfer's completion (a latch, a join) orders those reads after the writes.
 */
public final class ChunkChecksums {
    /** The CRC32C polynomial, reflected (Castagnoli). */
    private static final long POLYNOMIAL = 0x82F63B78L;

    private final long size;
    private final long chunkSize;
    private final int[] crcs;
    private final boolean[] set;

    private ChunkChecksums(long size, long chunkSize) {
        if (size < 0 || chunkSize <= 0) {
            throw new IllegalArgumentException("size " + size + " and chunk size " + chunkSize + " must be positive");
        }
        long chunks = (size + chunkSize - 1) / chunkSize;
        if (chunks > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is too small for " + size + " bytes");
        }
        this.size = size;
        this.chunkSize = chunkSize;
        this.crcs = new int[(int) chunks];
        this.set = new boolean[(int) chunks];
    }

    /** Room for the checksums of {@code size} bytes in chunks of {@code chunkSize}. */
    public static ChunkChecksums of(long size, long chunkSize) {
        return new ChunkChecksums(size, chunkSize);
    }

    /** Hashes every chunk of {@code bytes} on the calling thread. */
    public static ChunkChecksums of(MemorySegment bytes, long chunkSize) {
        ChunkChecksums sums = of(bytes.byteSize(), chunkSize);
        sums.hashAll(bytes);
        return sums;
    }

    /** Hashes every chunk of {@code bytes}, which are the {@link #size} bytes these checksums cover, on the calling thread. */
    public void hashAll(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        for (int i = 0; i < chunks(); i++) {
            put(i, crc32c(crc, bytes.asSlice(offset(i), length(i))));
        }
    }

    /** The CRC32C of {@code bytes} (at most 2 GiB), through {@code crc}, which is reset first. */
    public static int crc32c(CRC32C crc, MemorySegment bytes) {
        crc.reset();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }

    public long size() {
        return size;
    }

    public long chunkSize() {
        return chunkSize;
    }

    public int chunks() {
        return crcs.length;
    }

    public long offset(int chunk) {
        return chunk * chunkSize;
    }

    public long length(int chunk) {
        return Math.min(chunkSize, size - offset(chunk));
    }

    /** Records the CRC32C of chunk {@code chunk}. */
    public void put(int chunk, int crc) {
        crcs[chunk] = crc;
        set[chunk] = true;
    }

    public int get(int chunk) {
        if (!set[chunk]) {
            throw new IllegalStateException("chunk " + chunk + " of " + chunks() + " was never hashed");
        }
        return crcs[chunk];
    }

    /** The CRC32C of all the bytes, combined from the chunks' values (unsigned, 0 for no bytes). */
    public long whole() {
        long crc = 0;
        for (int i = 0; i < crcs.length; i++) {
            crc = combine(crc, Integer.toUnsignedLong(get(i)), length(i));
        }
        return crc;
    }

    /** The first chunk whose value differs from {@code other}'s, which must cover the same bytes in the same chunks. */
    public OptionalInt firstMismatch(ChunkChecksums other) {
        if (other.size != size || other.chunkSize != chunkSize) {
            throw new IllegalArgumentException("checksums of " + size + " bytes in chunks of " + chunkSize
                    + " cannot be compared with " + other.size + " bytes in chunks of " + other.chunkSize);
        }
        for (int i = 0; i < crcs.length; i++) {
            if (get(i) != other.get(i)) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The CRC of A followed by B, given crc(A), crc(B) and B's length: zlib's {@code crc32_combine} with the
     * Castagnoli polynomial. It appends {@code length2} zero bits to crc(A) by squaring the operator that appends
     * one zero bit (a 32×32 matrix over GF(2)), then adds crc(B); the pre- and post-inversion of both cancel out.
     */
    private static long combine(long crc1, long crc2, long length2) {
        if (length2 <= 0) {
            return crc1;
        }
        long[] even = new long[32];
        long[] odd = new long[32];
        odd[0] = POLYNOMIAL; // the operator for one zero bit
        long row = 1;
        for (int n = 1; n < 32; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        long length = length2;
        long crc = crc1;
        do {
            square(even, odd); // the first pass applies one zero byte
            if ((length & 1) != 0) {
                crc = times(even, crc);
            }
            length >>= 1;
            if (length == 0) {
                break;
            }
            square(odd, even);
            if ((length & 1) != 0) {
                crc = times(odd, crc);
            }
            length >>= 1;
        } while (length != 0);
        return crc ^ crc2;
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < 32; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }
}
