package io.hive.preloader.app.cli;

/**
 * Writes one JSON value by hand, escaped as RFC 8259 asks. Enough for {@code inspect --json}: objects, arrays,
 * strings, integers, finite floats (others become {@code null}), booleans and null.
 */
final class Json {
    private final StringBuilder out = new StringBuilder();
    /** Whether the next member or element needs a comma before it, per open object or array. */
    private final java.util.ArrayDeque<boolean[]> open = new java.util.ArrayDeque<>();
    /** Just after a member name: the value that follows takes no comma. */
    private boolean afterName;

    Json beginObject() {
        comma();
        out.append('{');
        open.push(new boolean[1]);
        return this;
    }

    Json endObject() {
        open.pop();
        out.append('}');
        return this;
    }

    Json beginArray() {
        comma();
        out.append('[');
        open.push(new boolean[1]);
        return this;
    }

    Json endArray() {
        open.pop();
        out.append(']');
        return this;
    }

    /** A member name; the value follows with one of the value methods. */
    Json name(String name) {
        comma();
        string(out, name);
        out.append(':');
        afterName = true;
        return this;
    }

    Json value(String s) {
        comma();
        if (s == null) {
            out.append("null");
        } else {
            string(out, s);
        }
        return this;
    }

    Json value(long n) {
        comma();
        out.append(n);
        return this;
    }

    /** An integer as its unsigned decimal digits (a {@code uint64} above {@code Long.MAX_VALUE}). */
    Json unsigned(long n) {
        comma();
        out.append(Long.toUnsignedString(n));
        return this;
    }

    Json value(double d) {
        comma();
        out.append(Double.isFinite(d) ? Double.toString(d) : "null");
        return this;
    }

    /** A 32-bit float printed with the digits it has, not those of its widening to double. */
    Json value(float f) {
        comma();
        out.append(Float.isFinite(f) ? Float.toString(f) : "null");
        return this;
    }

    Json value(boolean b) {
        comma();
        out.append(b);
        return this;
    }

    Json member(String name, String value) {
        return name(name).value(value);
    }

    Json member(String name, long value) {
        return name(name).value(value);
    }

    private void comma() {
        if (afterName) {
            afterName = false;
            return;
        }
        boolean[] state = open.peek();
        if (state == null) {
            return;
        }
        if (state[0]) {
            out.append(',');
        }
        state[0] = true;
    }

    @Override
    public String toString() {
        return out.toString();
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Control characters must be escaped; U+2028/2029 are, too, so the output is also valid JavaScript.
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c) && !validSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** A surrogate that is half of a proper pair; a lone one is escaped so the output stays valid UTF-8. */
    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
