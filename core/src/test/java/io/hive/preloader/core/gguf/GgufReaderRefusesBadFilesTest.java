package io.hive.preloader.core.gguf;

import io.hive.preloader.core.testing.GgufFixtures;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every way a header can lie is refused with a {@link GgufFormatException} that says what and where. */
class GgufReaderRefusesBadFilesTest {

    private static GgufFormatException refusal(byte[] file) {
        return catchThrowableOfType(GgufFormatException.class, () -> GgufReader.read(MemorySegment.ofArray(file)));
    }

    @Test
    void refusesEveryTruncationOfARealFileWithTensors() {
        byte[] whole = GgufFixtures.resource("gguf-py-tensors.gguf");
        GgufHeader complete = GgufReader.read(MemorySegment.ofArray(whole));
        long lastTensorEnd = complete.dataOffset() + 4672 + 28;
        for (int length = 0; length < lastTensorEnd; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            GgufFormatException e = refusal(cut);
            assertThat(e).as("file cut at %d bytes", length).isNotNull();
            assertThat(e.offset()).as("offset of the problem in a file cut at %d", length).isBetween(0L, (long) length);
        }
    }

    @Test
    void refusesTruncationsOfAVersionOneFile() {
        byte[] whole = GgufFixtures.bytes(GgufFixtures.file("v1-ggml-vocab-llama.gguf"));
        Random random = new Random(1);
        for (int i = 0; i < 200; i++) {
            int length = random.nextInt(whole.length);
            assertThat(refusal(java.util.Arrays.copyOf(whole, length))).as("cut at %d", length).isNotNull();
        }
    }

    @Test
    void refusesAFileThatIsNotGguf() {
        GgufFormatException e = refusal("PK\u0003\u0004 this is a zip".getBytes());
        assertThat(e.offset()).isZero();
        assertThat(e.getMessage()).contains("not a GGUF file");
    }

    @Test
    void refusesAnEmptyFile() {
        assertThat(refusal(new byte[0]).getMessage()).contains("file ends before the magic");
    }

    @Test
    void refusesUnknownVersionsAndNamesBigEndianFiles() {
        assertThat(refusal(RawGguf.header(4, 0, 0).bytes()).getMessage()).contains("unsupported GGUF version 4");
        assertThat(refusal(RawGguf.header(0x03000000, 0, 0).bytes()).getMessage()).contains("big-endian");
    }

    @Test
    void refusesCountsTheFileCannotHold() {
        assertThat(refusal(RawGguf.header(3, 0, -1).bytes()).getMessage())
                .contains("18446744073709551615 metadata key-value pairs");
        assertThat(refusal(RawGguf.header(3, 1L << 40, 0).bytes()).getMessage()).contains("1099511627776 tensors");
        assertThat(refusal(RawGguf.header(3, 0, 3).kvU32("a", 1).bytes()).getMessage()).contains("metadata key-value pairs");
    }

    @Test
    void refusesAStringLongerThanTheFile() {
        byte[] file = RawGguf.header(3, 0, 1).u64(Long.MAX_VALUE).raw("abc".getBytes()).zeros(32).bytes();
        GgufFormatException e = refusal(file);
        assertThat(e.offset()).isEqualTo(24);
        assertThat(e.getMessage()).contains("key of metadata pair 0 length 9223372036854775807 exceeds");
    }

    @Test
    void refusesAnArrayCountNearTwoToTheSixtyFour() {
        byte[] file = RawGguf.header(3, 0, 1).str("big").u32(GgufValueType.ARRAY.code())
                .u32(GgufValueType.UINT8.code()).u64(-2).zeros(64).bytes();
        assertThat(refusal(file).getMessage()).contains("array 'big' claims 18446744073709551614 uint8 elements");
    }

    @Test
    void refusesAnArrayOfStringsLongerThanTheFileCouldHold() {
        byte[] file = RawGguf.header(3, 0, 1).str("tokens").u32(GgufValueType.ARRAY.code())
                .u32(GgufValueType.STRING.code()).u64(1000).zeros(64).bytes();
        assertThat(refusal(file).getMessage()).contains("array 'tokens' claims 1000 string elements");
    }

    @Test
    void refusesUnknownValueTypes() {
        byte[] file = RawGguf.header(3, 0, 1).str("k").u32(13).u32(0).bytes();
        GgufFormatException e = refusal(file);
        assertThat(e.getMessage()).contains("type of 'k' is 13, not a GGUF value type");
        assertThat(e.offset()).isEqualTo(24 + 8 + 1);
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] file = RawGguf.header(3, 0, 1).u64(2).raw(new byte[]{(byte) 0xC3, (byte) 0x28}).u32(4).u32(1).bytes();
        assertThat(refusal(file).getMessage()).contains("is not valid UTF-8");
    }

    @Test
    void refusesABoolThatIsNeitherZeroNorOne() {
        byte[] file = RawGguf.header(3, 0, 1).str("flag").u32(GgufValueType.BOOL.code()).u8(7).bytes();
        assertThat(refusal(file).getMessage()).contains("bool 'flag' is 7");
    }

    @Test
    void refusesDuplicateKeysAndEmptyKeys() {
        assertThat(refusal(RawGguf.header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).bytes()).getMessage())
                .contains("duplicate metadata key 'a'");
        assertThat(refusal(RawGguf.header(3, 0, 1).kvU32("", 1).bytes()).getMessage()).contains("empty key");
    }

    @Test
    void refusesArraysNestedTooDeep() {
        RawGguf raw = RawGguf.header(3, 0, 1).str("deep").u32(GgufValueType.ARRAY.code());
        for (int i = 0; i < 20; i++) {
            raw.u32(GgufValueType.ARRAY.code()).u64(1);
        }
        raw.u32(GgufValueType.UINT8.code()).u64(1).u8(1);
        assertThat(refusal(raw.bytes()).getMessage()).contains("nested deeper than");
    }

    @Test
    void refusesAnAlignmentThatIsZeroNotAPowerOfTwoOrNotAUint32() {
        assertThat(refusal(RawGguf.header(3, 0, 1).kvU32("general.alignment", 0).bytes()).getMessage())
                .contains("general.alignment is 0, not a power of two");
        assertThat(refusal(RawGguf.header(3, 0, 1).kvU32("general.alignment", 48).bytes()).getMessage())
                .contains("general.alignment is 48");
        assertThat(refusal(RawGguf.header(3, 0, 1).kvStr("general.alignment", "32").bytes()).getMessage())
                .contains("general.alignment must be a uint32");
    }

    @Test
    void refusesATensorOffsetThatIsNotAligned() {
        RawGguf raw = RawGguf.header(3, 1, 0).tensor("t", 8, GgmlType.F32.code(), 4);
        byte[] file = raw.padTo(32).zeros(64).bytes();
        assertThat(refusal(file).getMessage()).contains("tensor 't' offset 8 is not a multiple of the alignment 32");
    }

    @Test
    void refusesTensorsThatOverlapOrLeaveGaps() {
        RawGguf raw = RawGguf.header(3, 2, 0).tensor("a", 0, GgmlType.F32.code(), 16).tensor("b", 32, GgmlType.F32.code(), 16);
        byte[] file = raw.padTo(32).zeros(256).bytes();
        assertThat(refusal(file).getMessage()).contains("tensor 'b' offset 32 is not where the previous tensor ends (64)");
    }

    @Test
    void refusesATensorThatEndsPastTheFile() {
        RawGguf raw = RawGguf.header(3, 1, 0).tensor("big", 0, GgmlType.F32.code(), 1024);
        byte[] file = raw.padTo(32).zeros(100).bytes();
        assertThat(refusal(file).getMessage()).contains("tensor 'big' (4096 bytes at data offset 0) ends past the end");
    }

    @Test
    void refusesTensorShapesThatOverflowOrBreakTheirBlocks() {
        byte[] overflow = RawGguf.header(3, 1, 0).tensor("o", 0, GgmlType.F32.code(), 1L << 40, 1L << 40).padTo(32).bytes();
        assertThat(refusal(overflow).getMessage()).contains("more elements than fit in 64 bits");

        byte[] partialBlock = RawGguf.header(3, 1, 0).tensor("q", 0, GgmlType.Q4_K.code(), 100).padTo(32).zeros(512).bytes();
        assertThat(refusal(partialBlock).getMessage()).contains("100 elements, not a whole number of Q4_K blocks of 256");

        byte[] fiveDims = RawGguf.header(3, 1, 0).tensor("d", 0, GgmlType.F32.code(), 1, 1, 1, 1, 1).padTo(32).zeros(32).bytes();
        assertThat(refusal(fiveDims).getMessage()).contains("has 5 dimensions (at most 4)");

        byte[] negative = RawGguf.header(3, 1, 0).tensor("n", 0, GgmlType.F32.code(), -4).padTo(32).zeros(32).bytes();
        assertThat(refusal(negative).getMessage()).contains("dimension beyond 2^63");
    }

    @Test
    void refusesUnknownTensorTypesAndDuplicateNames() {
        byte[] unknown = RawGguf.header(3, 1, 0).tensor("t", 0, 31, 4).padTo(32).zeros(32).bytes();
        assertThat(refusal(unknown).getMessage()).contains("unknown ggml type 31");

        byte[] twice = RawGguf.header(3, 2, 0).tensor("t", 0, 0, 8).tensor("t", 32, 0, 8).padTo(32).zeros(64).bytes();
        assertThat(refusal(twice).getMessage()).contains("duplicate tensor name 't'");
    }

    @Test
    void acceptsAVocabOnlyFileThatEndsWithoutPadding() {
        byte[] file = RawGguf.header(3, 0, 1).kvStr("general.architecture", "llama").bytes();
        GgufHeader header = GgufReader.read(MemorySegment.ofArray(file));
        assertThat(header.architecture()).contains("llama");
        assertThat(header.dataOffset()).isEqualTo(GgufReader.alignUp(file.length, 32));
    }

    @Test
    void aRefusalSaysWhereInItsMessage() {
        GgufFormatException e = refusal(RawGguf.header(3, 0, 1).kvU32("general.alignment", 3).bytes());
        assertThatThrownBy(() -> {
            throw e;
        }).hasMessageStartingWith("at byte " + e.offset() + ": ");
    }
}
