package io.hive.preloader.app.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.snakeyaml.error.MarkedYAMLException;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the YAML config file into a {@link PreloaderConfig}: Jackson binds it onto the records, whose components are
 * the keys (see the README's Configuration). Unknown keys, duplicate keys, tags naming types and bad values are refused
 * with one line naming the key and what is allowed. Relative paths are taken from the config file's folder.
 */
public final class ConfigLoader {
    /** The YAML core schema's tags; any other names a type, which SnakeYAML's safe loading refused too. */
    private static final Pattern CORE_TAG = Pattern.compile("tag:yaml\\.org,2002:(str|int|float|bool|null|seq|map)");
    private static final ObjectMapper MAPPER = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            // true and false only, not 1 or "true"; a count is a whole number, not 1.5 or "5"
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
            .addModule(new Jdk8Module())
            .addModule(ConfigValues.module())
            .injectableValues(new InjectableValues.Std().addValue("hugepages.mount", Optional.of(Path.of(PreloaderConfig.HugePages.DEFAULT_MOUNT))))
            .build();

    private ConfigLoader() {
    }

    /** Reads and validates the file. */
    public static PreloaderConfig load(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file, "is a directory, not a YAML file");
            }
            return parse(Files.readString(file), file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "no such file");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file, "permission denied");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file, "cannot be read: " + e.getMessage());
        }
    }

    /** Validates YAML text as if it were read from {@code file} (which names it in errors and anchors relative paths). */
    public static PreloaderConfig parse(String yaml, Path file) {
        JsonNode tree = read(yaml, file);
        ConfigKeys.emptyValue(tree, List.of()).ifPresent(problem -> {
            throw new ConfigException(file, problem);
        });
        Path folder = file.toAbsolutePath().normalize().getParent();
        try {
            return MAPPER.reader().withAttribute(ConfigValues.BASE, folder == null ? Path.of("").toAbsolutePath() : folder)
                    .treeToValue(tree, PreloaderConfig.class);
        } catch (JsonMappingException e) {
            throw new ConfigException(file, ConfigKeys.explain(e, tree));
        } catch (IOException e) {
            throw new ConfigException(file, ConfigKeys.oneLine(e.getMessage()));
        }
    }

    /** The config in the file's own keys, as {@code GET /v1/config} shows it: the journal in force, no {@code http} (the server's own). */
    public static Map<String, Object> shown(PreloaderConfig config) {
        Map<String, Object> shown = MAPPER.convertValue(config, new TypeReference<LinkedHashMap<String, Object>>() { });
        shown.remove("http");
        shown.put("journal", config.journalFile().map(Path::toString).orElse(null));
        return shown;
    }

    private static JsonNode read(String text, Path file) {
        try (JsonParser yaml = MAPPER.createParser(text)) {
            JsonNode tree = MAPPER.readTree(new JsonParserDelegate(yaml) {
                @Override
                public JsonToken nextToken() throws IOException {
                    JsonToken token = super.nextToken();
                    if (getTypeId() instanceof String tag && !CORE_TAG.matcher(tag).matches()) {
                        throw new JsonParseException(this, "tags naming types are not allowed: " + tag);
                    }
                    return token;
                }
            });
            if (yaml.nextToken() != null) {
                throw new ConfigException(file, "not valid YAML: more than one document");
            }
            return tree == null || tree.isMissingNode() || tree.isNull() ? MAPPER.createObjectNode() : tree;
        } catch (StreamReadException e) {
            // SnakeYAML's problem where it has one; else where the offending token starts (a duplicate key, a tag)
            JsonLocation at = e instanceof MarkedYAMLException || !(e.getProcessor() instanceof JsonParser p) ? e.getLocation() : p.currentTokenLocation();
            String problem = e instanceof MarkedYAMLException marked ? marked.getProblem()
                    : e.getOriginalMessage().replaceFirst("^Duplicate field '(.*)'$", "found duplicate key $1");
            throw new ConfigException(file, "not valid YAML at line " + at.getLineNr() + ", column " + at.getColumnNr() + ": " + ConfigKeys.oneLine(problem));
        } catch (IOException e) {
            throw new ConfigException(file, "not valid YAML: " + ConfigKeys.oneLine(e.getMessage()));
        }
    }
}
