package io.hive.preloader.core.gguf;

import java.util.List;

/** A metadata value; the closed set mirrors {@code gguf_type}. */
public sealed interface GgufValue {

    GgufValueType type();

    /** Integers of every width; unsigned 64-bit values above {@code Long.MAX_VALUE} read as negative, as in C. */
    record Int(GgufValueType type, long value) implements GgufValue {
    }

    record Float(GgufValueType type, double value) implements GgufValue {
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }
    }

    record Str(String value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }
    }

    record Array(GgufValueType elementType, List<GgufValue> elements) implements GgufValue {
        public Array {
            elements = List.copyOf(elements);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }
    }

    /** A short rendering for listings: arrays show their type and length, not their elements. */
    default String display() {
        return switch (this) {
            case Int i -> Long.toString(i.value());
            case Float f -> Double.toString(f.value());
            case Bool b -> Boolean.toString(b.value());
            case Str s -> s.value();
            case Array a -> "[" + a.elementType().name().toLowerCase() + " × " + a.elements().size() + "]";
        };
    }
}
