package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.ChunkChecksums;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkChecksumsTest {

    private static long crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    @Test
    void knowsTheCheckValueOfCrc32c() {
        // The CRC catalogue's check value for CRC-32C (iSCSI) over "123456789".
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(ChunkChecksums.of(MemorySegment.ofArray(check), 4).whole()).isEqualTo(0xE3069283L);
    }

    @ParameterizedTest(name = "{0} bytes in chunks of {1}")
    @CsvSource({"0, 16", "1, 16", "15, 16", "16, 16", "17, 16", "1000003, 4096", "1048576, 65536", "300, 7"})
    void combinesChunksIntoTheCrcOfTheWhole(int size, int chunk) {
        byte[] bytes = ModelFiles.randomBytes(size, size + chunk);

        ChunkChecksums sums = ChunkChecksums.of(MemorySegment.ofArray(bytes), chunk);

        assertThat(sums.chunks()).isEqualTo((size + chunk - 1) / chunk);
        assertThat(sums.whole()).isEqualTo(crc32c(bytes));
    }

    @Test
    void chunksHashedInAnyOrderGiveTheSameWhole() {
        byte[] bytes = ModelFiles.randomBytes(10_000, 1);
        ChunkChecksums inOrder = ChunkChecksums.of(MemorySegment.ofArray(bytes), 1000);
        ChunkChecksums backwards = ChunkChecksums.of(bytes.length, 1000);
        CRC32C crc = new CRC32C();
        for (int i = backwards.chunks() - 1; i >= 0; i--) {
            backwards.put(i, ChunkChecksums.crc32c(crc, MemorySegment.ofArray(bytes).asSlice(backwards.offset(i), backwards.length(i))));
        }

        assertThat(backwards.whole()).isEqualTo(inOrder.whole());
        assertThat(backwards.firstMismatch(inOrder)).isEmpty();
    }

    @Test
    void namesTheFirstChunkThatDiffers() {
        byte[] bytes = ModelFiles.randomBytes(10_000, 2);
        ChunkChecksums before = ChunkChecksums.of(MemorySegment.ofArray(bytes), 1000);
        bytes[4321] ^= 1;
        bytes[9000] ^= 1;

        assertThat(before.firstMismatch(ChunkChecksums.of(MemorySegment.ofArray(bytes), 1000))).hasValue(4);
    }

    @Test
    void refusesToReadAChunkNeverHashedOrToCompareDifferentChunkings() {
        ChunkChecksums sums = ChunkChecksums.of(100, 10);

        assertThatThrownBy(sums::whole).hasMessageContaining("chunk 0 of 10 was never hashed");
        assertThatThrownBy(() -> sums.firstMismatch(ChunkChecksums.of(100, 20))).hasMessageContaining("chunks of 20");
    }
}
