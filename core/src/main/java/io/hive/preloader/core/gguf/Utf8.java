package io.hive.preloader.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Whether bytes are well-formed UTF-8, as the JDK's strict decoder judges them (the Unicode standard's table of
 * well-formed byte sequences: no overlong forms, no surrogates, nothing past U+10FFFF), without decoding them: a check
 * of a vocabulary's strings makes no {@code String} of them.
 */
final class Utf8 {
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    static boolean wellFormed(MemorySegment bytes, long from, long length) {
        long i = from;
        long end = from + length;
        while (i < end) {
            if (end - i >= 8 && (bytes.get(U64, i) & HIGH_BITS) == 0) {
                i += 8; // eight ASCII bytes
                continue;
            }
            int lead = Byte.toUnsignedInt(bytes.get(U8, i));
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int secondLow = 0x80;
            int secondHigh = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                if (lead == 0xE0) {
                    secondLow = 0xA0; // below: an overlong form
                } else if (lead == 0xED) {
                    secondHigh = 0x9F; // above: a surrogate
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                if (lead == 0xF0) {
                    secondLow = 0x90; // below: an overlong form
                } else if (lead == 0xF4) {
                    secondHigh = 0x8F; // above: past U+10FFFF
                }
            } else {
                return false; // a continuation byte first, C0/C1 (overlong), or F5-FF
            }
            if (end - i <= continuations) {
                return false;
            }
            int second = Byte.toUnsignedInt(bytes.get(U8, i + 1));
            if (second < secondLow || second > secondHigh) {
                return false;
            }
            for (int k = 2; k <= continuations; k++) {
                int next = Byte.toUnsignedInt(bytes.get(U8, i + k));
                if (next < 0x80 || next > 0xBF) {
                    return false;
                }
            }
            i += continuations + 1;
        }
        return true;
    }
}
