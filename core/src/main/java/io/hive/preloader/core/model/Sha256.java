package io.hive.preloader.core.model;

import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A SHA-256 digest a model's bytes must have: from a sidecar file as {@code sha256sum} writes it, from config
 * ({@code sha256:}), or from a file named like Ollama's blobs ({@code sha256-<hex>}).
 */
public record Sha256(String hex) {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern BLOB = Pattern.compile("sha256[-:]([0-9a-fA-F]{64})");

    public Sha256 {
        hex = hex == null ? "" : hex.toLowerCase(Locale.ROOT);
        if (!HEX.matcher(hex).matches()) {
            throw new IllegalArgumentException("'" + shorten(hex) + "' is not a SHA-256 digest: 64 hexadecimal digits expected");
        }
    }

    /** A digest as written in config: 64 hex digits, optionally after {@code sha256:}. */
    public static Sha256 parse(String text) {
        String t = text.strip();
        return new Sha256(t.regionMatches(true, 0, "sha256:", 0, 7) ? t.substring(7) : t);
    }

    public static Sha256 of(byte[] digest) {
        return new Sha256(HexFormat.of().formatHex(digest));
    }

    /** The digest a file named like an Ollama blob carries in its name ({@code sha256-<hex>}), if it is named so. */
    public static Optional<Sha256> ofBlobName(String fileName) {
        var m = BLOB.matcher(fileName);
        return m.matches() ? Optional.of(new Sha256(m.group(1))) : Optional.empty();
    }

    /**
     * The digest for {@code fileName} in a checksum file as {@code sha256sum} writes it: lines of {@code HEX  NAME} (or
     * {@code HEX *NAME}); the line naming the file, or the only line.
     *
     * @throws IllegalArgumentException naming what is wrong when no line gives this file's digest
     */
    public static Sha256 ofChecksumFile(String contents, String fileName) {
        List<String> lines = contents.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String line : lines) {
            String[] parts = line.split("\\s+\\*?", 2);
            String name = parts.length < 2 ? "" : parts[1].startsWith("*") ? parts[1].substring(1) : parts[1];
            if (lines.size() == 1 || name.equals(fileName) || name.endsWith("/" + fileName)) {
                return new Sha256(parts[0]);
            }
        }
        throw new IllegalArgumentException(lines.isEmpty() ? "it holds no digest"
                : "none of its " + lines.size() + " lines is for " + fileName);
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    @Override
    public String toString() {
        return "sha256:" + hex;
    }
}
