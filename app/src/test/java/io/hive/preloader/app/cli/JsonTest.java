package io.hive.preloader.app.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonTest {

    @Test
    void shouldSeparateMembersAndElementsWithCommas() {
        String json = new Json().beginObject()
                .member("a", 1)
                .name("b").beginArray().value(1).value("x").value(true).value((String) null).endArray()
                .name("c").beginObject().endObject()
                .member("d", "e")
                .endObject().toString();

        assertThat(json).isEqualTo("{\"a\":1,\"b\":[1,\"x\",true,null],\"c\":{},\"d\":\"e\"}");
    }

    @Test
    void shouldEscapeWhatJsonRequires() {
        String json = new Json().value("q\" b\\ n\n r\r t\t \u0000 \u001f \u2028 é 😀").toString();

        assertThat(json).isEqualTo("\"q\\\" b\\\\ n\\n r\\r t\\t \\u0000 \\u001f \\u2028 é 😀\"");
    }

    @Test
    void shouldEscapeALoneSurrogate() {
        assertThat(new Json().value("a\ud800b").toString()).isEqualTo("\"a\\ud800b\"");
        assertThat(new Json().value("\udc00").toString()).isEqualTo("\"\\udc00\"");
    }

    @Test
    void shouldWriteNumbersAsJsonAllowsThem() {
        assertThat(new Json().unsigned(-1L).toString()).isEqualTo("18446744073709551615");
        assertThat(new Json().value(1e-5f).toString()).isEqualTo("1.0E-5");
        assertThat(new Json().value(Double.NaN).toString()).isEqualTo("null");
        assertThat(new Json().value(Float.POSITIVE_INFINITY).toString()).isEqualTo("null");
    }
}
