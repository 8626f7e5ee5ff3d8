package io.hive.preloader.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes model stores as their tools do, for tests: Ollama's models folder (a manifest per name and tag, the layers as
 * {@code blobs/sha256-HEX}) and the Hugging Face hub cache ({@code models--ORG--REPO} with {@code refs/main}, the
 * snapshot's relative symlinks and the blobs named by their SHA-256).
 */
public final class ModelStores {
    public static final String OLLAMA_HOST = "registry.ollama.ai";

    private ModelStores() {
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An Ollama model as {@code ollama pull} leaves it: the GGUF, a template and a config blob, and the manifest at
     * {@code manifests/HOST/NAMESPACE/MODEL/TAG} naming them, in the JSON Ollama writes (one line).
     *
     * @return the model's blob
     */
    public static Path ollamaModel(Path root, String host, String namespace, String model, String tag, byte[] gguf) {
        Path blob = ollamaBlob(root, gguf);
        ollamaManifest(root, host, namespace, model, tag, sha256(gguf), gguf.length);
        return blob;
    }

    /** A blob as Ollama stores one: {@code blobs/sha256-HEX}. */
    public static Path ollamaBlob(Path root, byte[] bytes) {
        return write(root.resolve("blobs").resolve("sha256-" + sha256(bytes)), bytes);
    }

    /** The manifest alone, naming a model layer of this digest and size (whose blob the caller writes, or not). */
    public static Path ollamaManifest(Path root, String host, String namespace, String model, String tag, String digest, long size) {
        byte[] template = "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}".getBytes(StandardCharsets.UTF_8);
        ollamaBlob(root, template);
        byte[] config = ("{\"model_format\":\"gguf\",\"model_family\":\"llama\",\"model_families\":[\"llama\"],\"model_type\":\"1B\","
                + "\"file_type\":\"Q8_0\",\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":"
                + "[\"sha256:" + digest + "\",\"sha256:" + sha256(template) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        ollamaBlob(root, config);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"sha256:" + sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":["
                + "{\"mediaType\":\"application/vnd.ollama.image.model\",\"digest\":\"sha256:" + digest + "\",\"size\":" + size + "},"
                + "{\"mediaType\":\"application/vnd.ollama.image.template\",\"digest\":\"sha256:" + sha256(template) + "\",\"size\":"
                + template.length + "}]}\n";
        return write(root.resolve("manifests").resolve(host).resolve(namespace).resolve(model).resolve(tag),
                manifest.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A file of a hub repository's snapshot as {@code hf_hub_download} leaves it: the blob named by the file's SHA-256
     * (a large file's ETag), the snapshot's relative symlink to it, and {@code refs/main} holding the commit.
     *
     * @param file the path in the repository, {@code /}-separated
     * @return the snapshot's symlink
     */
    public static Path hubFile(Path cache, String org, String repo, String commit, String file, byte[] bytes) {
        Path folder = hubRepo(cache, org, repo);
        String hash = sha256(bytes);
        write(folder.resolve("blobs").resolve(hash), bytes);
        Path link = folder.resolve("snapshots").resolve(commit).resolve(file);
        hubLink(link, folder.resolve("blobs").resolve(hash));
        hubMain(cache, org, repo, commit);
        return link;
    }

    /** A relative symlink from a snapshot's file to {@code target}, as the hub makes them ({@code ../../blobs/HASH}). */
    public static Path hubLink(Path link, Path target) {
        try {
            Files.createDirectories(link.getParent());
            Files.deleteIfExists(link);
            return Files.createSymbolicLink(link, link.getParent().relativize(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code refs/main} naming a commit, written as the hub writes it (no newline). */
    public static Path hubMain(Path cache, String org, String repo, String commit) {
        return write(hubRepo(cache, org, repo).resolve("refs").resolve("main"), commit.getBytes(StandardCharsets.US_ASCII));
    }

    public static Path hubRepo(Path cache, String org, String repo) {
        return cache.resolve("models--" + org + "--" + repo);
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
