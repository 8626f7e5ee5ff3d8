package io.hive.preloader.app.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Readers of the config's own kinds of values: paths (relative to the config file's folder), sizes ({@code 16MiB}),
 * budgets ({@code 24GiB}, {@code 50%}), durations ({@code 600} seconds, {@code 10m}), model ids and the token. A value
 * of the wrong form is {@link Refused}, for {@link ConfigLoader} to word with its key. Written back as an operator
 * writes them, for the config as shown.
 */
public final class ConfigValues {
    /** The reader attribute holding the config file's folder. */
    static final String BASE = "base";
    /** A budget given as a share of RAM is checked against this much RAM, so that only its form is validated here. */
    private static final long SAMPLE_RAM = 1L << 40;
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private ConfigValues() {
    }

    static Module module() {
        return new SimpleModule("preloader-config")
                .addDeserializer(Path.class, new Reader<>(Path.class, false, ConfigValues::path))
                .addDeserializer(Duration.class, new Reader<>(Duration.class, true, (text, _) -> duration(text)))
                .addDeserializer(ModelId.class, new Reader<>(ModelId.class, false, (text, _) -> id(text)))
                .addKeyDeserializer(ModelId.class, new KeyDeserializer() {
                    @Override
                    public Object deserializeKey(String key, DeserializationContext context) {
                        return id(key);
                    }
                })
                .addSerializer(PreloaderConfig.Alias.class, new StdScalarSerializer<>(PreloaderConfig.Alias.class) {
                    @Override
                    public void serialize(PreloaderConfig.Alias alias, JsonGenerator out, SerializerProvider provider) throws IOException {
                        if (alias.sha256().isEmpty()) {
                            out.writeString(alias.path().toString()); // as written: the path alone
                        } else {
                            out.writeStartObject();
                            out.writeStringField("path", alias.path().toString());
                            out.writeStringField("sha256", alias.sha256().get().hex());
                            out.writeEndObject();
                        }
                    }
                })
                .addSerializer(Path.class, ToStringSerializer.instance)
                .addSerializer(ModelId.class, ToStringSerializer.instance)
                .addSerializer(Duration.class, new StdScalarSerializer<>(Duration.class) {
                    @Override
                    public void serialize(Duration value, JsonGenerator out, SerializerProvider provider) throws IOException {
                        if (value.toMillis() % 1000 == 0) {
                            out.writeNumber(value.toSeconds()); // a whole number, as written
                        } else {
                            out.writeNumber(value.toMillis() / 1000.0);
                        }
                    }
                });
    }

    /** {@code 90s}, {@code 10m}, {@code 1.5h}, {@code 500ms}; a bare number is seconds. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 90s, 10m or 500ms");
        }
        double seconds = Double.parseDouble(m.group(1)) * switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 0.001;
            case "m" -> 60;
            case "h" -> 3600;
            default -> 1;
        };
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static Path path(String text, DeserializationContext context) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("no path");
        }
        Path base = (Path) context.getAttribute(BASE);
        return base.resolve(text.startsWith("~/") ? System.getProperty("user.home") + text.substring(1) : text).normalize();
    }

    private static ModelId id(String text) {
        try {
            return ModelId.of(text);
        } catch (IllegalArgumentException e) {
            throw new Refused("", e.getMessage());
        }
    }

    /** Reads text (or, where {@code numbers}, a whole number) through {@code parse}; anything else is refused. */
    static class Reader<T> extends StdScalarDeserializer<T> {
        private final boolean numbers;
        private final transient BiFunction<String, DeserializationContext, T> parse;

        Reader(Class<T> type, boolean numbers, BiFunction<String, DeserializationContext, T> parse) {
            super(type);
            this.numbers = numbers;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext context) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING) && !(numbers && p.hasToken(JsonToken.VALUE_NUMBER_INT))) {
                throw refused(p.currentToken());
            }
            try {
                return parse.apply(p.getText(), context);
            } catch (Refused refused) {
                throw refused;
            } catch (IllegalArgumentException e) {
                throw new Refused("", null);
            }
        }

        Refused refused(JsonToken found) {
            return new Refused("", null);
        }
    }

    /** An alias: a path, or {@code {path: FILE, sha256: HEX}}; any other key of the mapping is refused. */
    static final class AliasReader extends StdDeserializer<PreloaderConfig.Alias> {
        AliasReader() {
            super(PreloaderConfig.Alias.class);
        }

        @Override
        public PreloaderConfig.Alias deserialize(JsonParser p, DeserializationContext context) throws IOException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                return new PreloaderConfig.Alias(path(p.getText(), context));
            }
            if (!p.hasToken(JsonToken.START_OBJECT)) {
                throw new Refused("", null);
            }
            JsonNode node = p.readValueAsTree();
            for (var names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("path") && !name.equals("sha256")) {
                    throw new Refused(name, "not a key of an alias (path, sha256)");
                }
            }
            JsonNode path = node.get("path");
            if (path == null || !path.isTextual() || path.asText().isBlank()) {
                throw new Refused("path", "an alias written as a mapping needs its file: {path: FILE, sha256: HEX}");
            }
            JsonNode sha256 = node.get("sha256");
            if (sha256 == null || sha256.isNull()) {
                return new PreloaderConfig.Alias(path(path.asText(), context));
            }
            try {
                return new PreloaderConfig.Alias(path(path.asText(), context), Optional.of(Sha256.parse(sha256.asText())));
            } catch (IllegalArgumentException e) {
                throw new Refused("sha256", e.getMessage());
            }
        }
    }

    /** A size in bytes: a byte count, or a number with a binary unit such as {@code 64KiB}. */
    static final class Size extends Reader<Long> {
        Size() {
            super(Long.class, true, (text, _) -> ByteSize.parse(text.strip()));
        }
    }

    /** A budget (or the host sink's limit) as written, checked to be one {@link ByteBudget} reads. */
    static final class Budget extends Reader<String> {
        Budget() {
            super(String.class, true, (text, _) -> ByteBudget.parse(text.strip(), SAMPLE_RAM) != null ? text.strip() : null);
        }
    }

    /** The token: text only, and never echoed, not even its digits when it was written as a number. */
    static final class Secret extends Reader<String> {
        Secret() {
            super(String.class, false, (text, _) -> text);
        }

        @Override
        Refused refused(JsonToken found) {
            return new Refused("", "expected text (quote it), found " + (found.isNumeric() ? "a number" : found.isBoolean() ? "a boolean" : "a list or a mapping"));
        }
    }
}
