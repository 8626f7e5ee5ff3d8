package io.hive.preloader.app.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.regex.Pattern;

/** JSON for {@code inspect --json}, written by Jackson on one line; what Jackson leaves raw that should not be is escaped. */
final class Json {
    private static final JsonMapper MAPPER = JsonMapper.builder().disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE).build();
    /** U+2028 and U+2029 end a line in JavaScript, and a lone surrogate is no UTF-8: both become escapes. */
    private static final Pattern RAW = Pattern.compile("[\u2028\u2029\\p{Cs}]");
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    /** An integer as its unsigned decimal digits (a {@code uint64} above {@code Long.MAX_VALUE}). */
    static JsonNode unsigned(long n) {
        return n >= 0 ? NODES.numberNode(n) : NODES.numberNode(new BigInteger(Long.toUnsignedString(n)));
    }

    /** A float with the digits it has, not those of its widening to double; {@code null} where JSON has no number. */
    static JsonNode number(float f) {
        return Float.isFinite(f) ? NODES.numberNode(f) : NODES.nullNode();
    }

    static JsonNode number(double d) {
        return Double.isFinite(d) ? NODES.numberNode(d) : NODES.nullNode();
    }

    static String write(JsonNode value) {
        try {
            return RAW.matcher(MAPPER.writeValueAsString(value)).replaceAll(m -> String.format("\\\\u%04x", (int) m.group().charAt(0)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
