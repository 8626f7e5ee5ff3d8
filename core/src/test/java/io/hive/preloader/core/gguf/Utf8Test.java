package io.hive.preloader.core.gguf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The check without decoding judges every byte string as the JDK's strict UTF-8 decoder does. */
class Utf8Test {
    private static final CharsetDecoder STRICT = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    /** Bytes at the edges of the table of well-formed sequences, and some ASCII. */
    private static final int[] EDGES = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
            0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};

    private static boolean strict(byte[] bytes) {
        try {
            STRICT.decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void assertSameVerdict(byte[] bytes) {
        // Checked in place, inside a larger segment, as the cursor checks a string inside a header.
        byte[] padded = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);
        assertThat(Utf8.wellFormed(MemorySegment.ofArray(padded), 5, bytes.length))
                .as(HexFormat.ofDelimiter(" ").formatHex(bytes)).isEqualTo(strict(bytes));
    }

    @Test
    void knownSequences() {
        for (String hex : List.of("", "41", "c2a9", "e282ac", "f09f9880", "e29681", "efbfbd", "f48fbfbf", // well-formed
                "c0af", "c1bf", "e080af", "eda080", "edbfbf", "f08f8080", "f4908080", "f5808080", "80", "bf", // not
                "c2", "e282", "f09f98", "41c2", "4141414141414141c2", "414141414141414180")) {
            assertSameVerdict(HexFormat.of().parseHex(hex));
        }
    }

    @Test
    void randomStringsOfEdgeBytes() {
        SplittableRandom random = new SplittableRandom(20261201);
        int wellFormed = 0;
        for (int n = 0; n < 200_000; n++) {
            byte[] bytes = new byte[random.nextInt(13)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : EDGES[random.nextInt(EDGES.length)]);
            }
            assertSameVerdict(bytes);
            wellFormed += strict(bytes) ? 1 : 0;
        }
        assertThat(wellFormed).as("both verdicts drawn often").isBetween(10_000, 190_000);
    }

    @Test
    void everyCodePointEncodedByTheJdkIsWellFormed() {
        StringBuilder all = new StringBuilder();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp += (cp < 0x3000 ? 1 : 97)) {
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                all.appendCodePoint(cp);
            }
        }
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.wellFormed(MemorySegment.ofArray(bytes), 0, bytes.length)).isTrue();
    }
}
