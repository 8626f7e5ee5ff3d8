package io.hive.preloader.adapters.fs;

import java.nio.file.Path;
import java.util.Optional;

/**
 * An Ollama model's name, {@code HOST/NAMESPACE/MODEL:TAG}, as its manifest's path holds it, and its model id: the
 * name {@code ollama list} shows (Ollama's registry and its {@code library} namespace left out) with {@code +} for
 * {@code /}, since an id holds no separator. Ollama allows no {@code +} in a name, and the tag is after the last
 * {@code :} (a host may have a port), so an id spells its manifest's path back.
 */
record OllamaName(String host, String namespace, String model, String tag) {
    static final String DEFAULT_HOST = "registry.ollama.ai";
    static final String DEFAULT_NAMESPACE = "library";
    static final char SEPARATOR = '+';

    /** {@code llama3.2:3b}, {@code NAMESPACE+MODEL:TAG}, or {@code HOST+NAMESPACE+MODEL:TAG}. */
    String id() {
        String prefix = !host.equalsIgnoreCase(DEFAULT_HOST) ? host + SEPARATOR + namespace + SEPARATOR
                : !namespace.equalsIgnoreCase(DEFAULT_NAMESPACE) ? namespace + SEPARATOR : "";
        return prefix + model + ":" + tag;
    }

    /** Where its manifest is, under the {@code manifests} folder. */
    Path path() {
        return Path.of(host, namespace, model, tag);
    }

    /** The name an id spells; empty when it is not an Ollama id (no tag, too many parts, an empty part). */
    static Optional<OllamaName> parse(String id) {
        int colon = id.lastIndexOf(':');
        if (colon <= 0 || colon == id.length() - 1) {
            return Optional.empty();
        }
        String tag = id.substring(colon + 1);
        String[] parts = id.substring(0, colon).split("\\" + SEPARATOR, -1);
        for (int i = 0; i < parts.length; i++) {
            boolean host = i == 0 && parts.length == 3; // only a host has a ':' (its port)
            if (parts[i].isEmpty() || !host && parts[i].contains(":")) {
                return Optional.empty();
            }
        }
        return switch (parts.length) {
            case 1 -> Optional.of(new OllamaName(DEFAULT_HOST, DEFAULT_NAMESPACE, parts[0], tag));
            case 2 -> Optional.of(new OllamaName(DEFAULT_HOST, parts[0], parts[1], tag));
            case 3 -> Optional.of(new OllamaName(parts[0], parts[1], parts[2], tag));
            default -> Optional.empty();
        };
    }
}
