package io.hive.preloader.app.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void shouldSeparateMembersAndElementsWithCommas() {
        var object = Json.object().put("a", 1);
        object.putArray("b").add(1).add("x").add(true).addNull();
        object.putObject("c");
        object.put("d", "e");

        assertThat(Json.write(object)).isEqualTo("{\"a\":1,\"b\":[1,\"x\",true,null],\"c\":{},\"d\":\"e\"}");
    }

    @Test
    void shouldEscapeWhatJsonRequires() {
        String json = Json.write(Json.NODES.textNode("q\" b\\ n\n r\r t\t \u0000 \u001f \u2028 é 😀"));

        assertThat(json).isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t \\u0000 \\u001f \\u2028 é 😀\"");
    }

    @Test
    void shouldEscapeALoneSurrogate() {
        assertThat(Json.write(Json.NODES.textNode("a\ud800b"))).isEqualTo("\"a\\ud800b\"");
        assertThat(Json.write(Json.NODES.textNode("\udc00"))).isEqualTo("\"\\udc00\"");
    }

    @Test
    void shouldWriteNumbersAsJsonAllowsThem() {
        assertThat(Json.write(Json.unsigned(-1L))).isEqualTo("18446744073709551615");
        assertThat(Json.write(Json.number(1e-5f))).isEqualTo("1.0E-5");
        assertThat(Json.write(Json.number(Double.NaN))).isEqualTo("null");
        assertThat(Json.write(Json.number(Float.POSITIVE_INFINITY))).isEqualTo("null");
    }
}
