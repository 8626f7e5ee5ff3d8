package io.hive.preloader.app.config;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.google.common.base.Throwables;

import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The keys of the config file as its records declare them, and the one line that says why a key's value is refused:
 * {@code KEY: 'VALUE' is not ALLOWED} for a scalar, {@code KEY: expected WHAT, found WHAT} for a path, a list or a
 * section. A path is a list of key names and list indices, as Jackson reports it.
 */
final class ConfigKeys {

    private ConfigKeys() {
    }

    /** The key a record component is written as: {@code autoPreload} → {@code auto_preload}. */
    static String keyOf(RecordComponent component) {
        return component.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    static String keysOf(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(ConfigKeys::keyOf).collect(Collectors.joining(", "));
    }

    /** Why Jackson refused the tree, in one line naming the key. */
    static String explain(JsonMappingException e, JsonNode tree) {
        List<Object> path = new ArrayList<>(e.getPath().stream().map(r -> r.getFieldName() != null ? (Object) r.getFieldName() : r.getIndex()).toList());
        Optional<Refused> refused = Throwables.getCausalChain(e).stream().filter(Refused.class::isInstance).map(Refused.class::cast).findFirst();
        refused.filter(r -> !r.key.isEmpty()).ifPresent(r -> path.add(r.key));
        JsonNode node = tree;
        for (int i = 0; i < path.size(); i++) {
            if (path.get(i) instanceof Integer && !node.isArray()) { // a single value read as a list of one: the value is the key's own
                path.subList(i, path.size()).clear();
                break;
            }
            node = path.get(i) instanceof Integer index ? node.path(index) : node.path((String) path.get(i));
        }
        String key = keyPath(path);
        if (e instanceof UnrecognizedPropertyException unknown) {
            String parent = keyPath(path.subList(0, path.size() - 1));
            return "unknown key '" + key + "'; allowed keys" + (parent.isEmpty() ? "" : " under " + parent) + ": " + keysOf(unknown.getReferringClass());
        }
        String prefix = key.isEmpty() ? "" : key + ": ";
        if (refused.isPresent() && refused.get().problem != null) {
            return prefix + refused.get().problem;
        }
        if (refused.isEmpty() && e instanceof ValueInstantiationException) {
            return prefix + oneLine(String.valueOf(e.getCause() == null ? e.getOriginalMessage() : e.getCause().getMessage()));
        }
        if (path.isEmpty()) {
            return "the top level must be a mapping of keys (" + keysOf(PreloaderConfig.class) + "), found " + kind(node);
        }
        AnnotatedType type = typeAt(path);
        return prefix + (type == null ? oneLine(e.getOriginalMessage()) : words(type, path.getLast() instanceof Integer, node));
    }

    /**
     * The first empty value written where its key allows none ({@code store:}), worded. Jackson reads an empty value
     * as a missing key; a section, list or optional key takes it for its default or for none, a scalar refuses it.
     */
    static Optional<String> emptyValue(JsonNode node, List<Object> path) {
        // The type only for an empty value: reflecting over the records for every key cost more than the rest of this walk.
        AnnotatedType type = node.isNull() && !path.isEmpty() ? typeAt(path) : null;
        if (type != null && raw(type) != Optional.class && !container(raw(type))) {
            return Optional.of(keyPath(path) + ": " + words(type, path.getLast() instanceof Integer, node));
        }
        Stream<Optional<String>> inside = node.isObject()
                ? node.properties().stream().map(e -> emptyValue(e.getValue(), with(path, e.getKey())))
                : Stream.iterate(0, i -> i < node.size(), i -> i + 1).map(i -> emptyValue(node.get(i), with(path, i)));
        return inside.flatMap(Optional::stream).findFirst();
    }

    private static List<Object> with(List<Object> path, Object segment) {
        return Stream.concat(path.stream(), Stream.of(segment)).toList();
    }

    /** The type a path leads to, from {@link PreloaderConfig} down through sections, lists and maps; null past them. */
    private static AnnotatedType typeAt(List<Object> path) {
        AnnotatedType type = null;
        for (Object segment : path) {
            Class<?> raw = type == null ? PreloaderConfig.class : raw(type = unwrap(type));
            type = segment instanceof String key && raw.isRecord()
                    ? Arrays.stream(raw.getRecordComponents()).filter(c -> keyOf(c).equals(key)).findFirst().map(RecordComponent::getAnnotatedType).orElse(null)
                    : segment instanceof Integer && List.class.isAssignableFrom(raw) ? argument(type, 0)
                    : segment instanceof String && Map.class.isAssignableFrom(raw) ? argument(type, 1) : null;
            if (type == null) {
                return null;
            }
        }
        return type;
    }

    private static String words(AnnotatedType type, boolean element, JsonNode node) {
        AnnotatedType inner = unwrap(type);
        Allowed allowed = type.isAnnotationPresent(Allowed.class) ? type.getAnnotation(Allowed.class) : inner.getAnnotation(Allowed.class);
        Class<?> raw = raw(inner);
        String what = allowed != null ? allowed.value()
                : raw.isEnum() ? "one of " + Arrays.stream(raw.getEnumConstants()).map(c -> PreloaderConfig.nameOf((Enum<?>) c)).collect(Collectors.joining(", "))
                : raw == boolean.class || raw == Boolean.class ? "one of true, false"
                : raw == Path.class ? "a path"
                : raw.isRecord() ? "a mapping with " + keysOf(raw)
                : raw == String.class ? "text" : "a " + raw.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return element || raw == Path.class || container(raw) ? "expected " + what + ", found " + kind(node) : render(node) + " is not " + what;
    }

    private static boolean container(Class<?> raw) {
        return raw.isRecord() || Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw);
    }

    private static AnnotatedType unwrap(AnnotatedType type) {
        return raw(type) == Optional.class ? argument(type, 0) : type;
    }

    private static AnnotatedType argument(AnnotatedType type, int index) {
        return type instanceof AnnotatedParameterizedType generic ? generic.getAnnotatedActualTypeArguments()[index] : null;
    }

    private static Class<?> raw(AnnotatedType type) {
        return (Class<?>) (type.getType() instanceof ParameterizedType generic ? generic.getRawType() : type.getType());
    }

    private static String keyPath(List<Object> path) {
        return path.stream().map(s -> s instanceof Integer ? "[" + s + "]" : "." + s).collect(Collectors.joining()).replaceFirst("^\\.", "");
    }

    /** A value as written, for {@code 'VALUE' is not …}. */
    private static String render(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? "'" + oneLine(node.asText()) + "'" : kind(node);
    }

    /** What a value is, for {@code expected …, found …}. */
    private static String kind(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? "an empty value" : node.isObject() ? "a mapping" : node.isArray() ? "a list"
                : node.isTextual() ? "the text '" + oneLine(node.asText()) + "'" : (node.isBoolean() ? "the boolean " : "the number ") + node.asText();
    }

    static String oneLine(String text) {
        String flat = text.replaceAll("\\s*\\R\\s*", " ").strip();
        return flat.length() > 120 ? flat.substring(0, 117) + "..." : flat;
    }
}
