package io.hive.preloader.adapters.fs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Ollama's models folder: {@code manifests/HOST/NAMESPACE/MODEL/TAG}, each a JSON manifest (schema version 2) whose
 * layer of media type {@value #MODEL_LAYER} is the model, and {@code blobs/sha256-HEX}, the layers' bytes named by
 * their digest. A manifest is parsed again only when it changes (its fingerprint is kept).
 */
final class OllamaManifests implements StoreIndex {
    private static final System.Logger LOG = System.getLogger(OllamaManifests.class.getName());
    static final String MODEL_LAYER = "application/vnd.ollama.image.model";
    /** Far more than a manifest of a few layers takes. */
    private static final long MAX_MANIFEST = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Manifest(Integer schemaVersion, List<Layer> layers) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Layer(String mediaType, String digest, Long size) {
    }

    /** What a manifest version says: the model layer's digest and size, or why it says nothing usable. */
    private sealed interface Parsed {
        record Model(Sha256 digest, long size) implements Parsed {
        }

        record Problem(String problem) implements Parsed {
        }
    }

    private record Read(Fingerprint version, Parsed parsed) {
    }

    private final Path root;
    private final Path manifests;
    private final Path blobs;
    private final Warnings warnings = new Warnings(LOG);
    private final Map<Path, Read> read = new ConcurrentHashMap<>();

    private OllamaManifests(Path root) {
        this.root = root;
        this.manifests = root.resolve("manifests");
        this.blobs = root.resolve("blobs");
    }

    /** @throws IllegalArgumentException naming the folder, when it is missing or not an Ollama models folder */
    static OllamaManifests open(Path configured) {
        Path root = StoreFolders.real("ollama", configured);
        boolean manifests = Files.isDirectory(root.resolve("manifests"));
        boolean blobs = Files.isDirectory(root.resolve("blobs"));
        if (!(manifests && blobs) && !StoreFolders.isEmpty(root)) {
            String hint = Files.isDirectory(root.resolve("models/manifests")) ? "; did you mean " + root.resolve("models") + "?" : "";
            throw new IllegalArgumentException("ollama: " + configured + " is not an Ollama models folder: it has no "
                    + (manifests ? "blobs" : "manifests") + " folder (Ollama keeps its models in ~/.ollama/models, or $OLLAMA_MODELS)" + hint);
        }
        return new OllamaManifests(root);
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public SortedMap<ModelId, StoreEntry> scan() {
        SortedMap<ModelId, StoreEntry> found = new TreeMap<>();
        if (!Files.isDirectory(manifests)) {
            return found;
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> tree = Files.walk(manifests, 4)) {
            tree.filter(p -> manifests.relativize(p).getNameCount() == 4).forEach(files::add);
        } catch (IOException | RuntimeException e) {
            warnings.once("cannot list the manifests of " + root + ": " + e);
        }
        for (Path file : files) {
            idOf(manifests.relativize(file)).flatMap(id -> entry(id, file)).ifPresent(e -> found.putIfAbsent(e.id(), e));
        }
        return found;
    }

    @Override
    public Optional<StoreEntry> find(ModelId id) {
        return OllamaName.parse(id.value()).flatMap(name -> entry(id, manifests.resolve(name.path())));
    }

    /** Partial downloads ({@code sha256-HEX-partial}, {@code -partial-N}) change no model until renamed into place. */
    @Override
    public boolean relevant(Path name) {
        return !name.toString().contains("-partial");
    }

    @Override
    public boolean holds(Path realPath) {
        return realPath.startsWith(blobs) && !realPath.equals(blobs);
    }

    private Optional<ModelId> idOf(Path relative) {
        OllamaName name = new OllamaName(relative.getName(0).toString(), relative.getName(1).toString(),
                relative.getName(2).toString(), relative.getName(3).toString());
        try {
            return Optional.of(ModelId.of(name.id()));
        } catch (IllegalArgumentException e) {
            warnings.once("skipping Ollama manifest " + manifests.resolve(relative) + ": its name is not a model id (" + e.getMessage() + ")");
            return Optional.empty();
        }
    }

    /** The model a manifest names; empty when there is no such manifest. */
    private Optional<StoreEntry> entry(ModelId id, Path manifest) {
        Fingerprint version;
        Path real;
        try {
            real = manifest.toRealPath();
            Optional<Fingerprint> fingerprint = UnixFiles.fingerprint(real);
            if (fingerprint.isEmpty()) {
                return Optional.empty();
            }
            version = fingerprint.get();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new StoreEntry(BlobLink.broken(id, manifest, "cannot be read: " + e), manifest, StoreEntry.UNREAD));
        }
        if (!real.startsWith(root)) {
            return Optional.of(new StoreEntry(BlobLink.broken(id, manifest, "resolves to " + real + ", outside " + root
                    + "; a link that leaves the store is not followed"), manifest, version));
        }
        Parsed parsed = parsed(manifest, real, version);
        Lookup lookup = switch (parsed) {
            case Parsed.Problem(String problem) -> BlobLink.broken(id, manifest, problem);
            case Parsed.Model(Sha256 digest, long size) -> blob(id, manifest, digest, size);
        };
        return Optional.of(new StoreEntry(lookup, manifest, version));
    }

    private Lookup blob(ModelId id, Path manifest, Sha256 digest, long size) {
        Lookup blob = BlobLink.resolve(id, blobs.resolve("sha256-" + digest.hex()), blobs, manifest, Optional.of(digest));
        if (blob instanceof Lookup.Found(var model) && model.size() != size) {
            return BlobLink.broken(id, manifest, "its model layer is " + size + " bytes, but the blob " + model.path() + " is "
                    + model.size() + " (a download cut short, or another file)");
        }
        return blob;
    }

    private Parsed parsed(Path manifest, Path real, Fingerprint version) {
        Read seen = read.get(manifest);
        if (seen != null && seen.version().equals(version)) {
            return seen.parsed();
        }
        Parsed parsed = parse(real, version);
        read.put(manifest, new Read(version, parsed));
        return parsed;
    }

    private static Parsed parse(Path file, Fingerprint version) {
        if (version.size() > MAX_MANIFEST) {
            return new Parsed.Problem("is " + version.size() + " bytes, not an Ollama manifest");
        }
        Manifest manifest;
        try {
            manifest = JSON.readValue(Files.readAllBytes(file), Manifest.class);
        } catch (JacksonException e) {
            return new Parsed.Problem("is not an Ollama manifest (JSON): " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Parsed.Problem("cannot be read: " + e);
        }
        if (manifest == null || manifest.layers() == null) {
            return new Parsed.Problem("is not an Ollama manifest: it has no layers");
        }
        if (!Integer.valueOf(2).equals(manifest.schemaVersion())) {
            return new Parsed.Problem("has schemaVersion " + manifest.schemaVersion() + "; Ollama writes 2");
        }
        Optional<Layer> model = manifest.layers().stream().filter(l -> l != null && MODEL_LAYER.equals(l.mediaType())).findFirst();
        if (model.isEmpty()) {
            return new Parsed.Problem("has no layer of media type " + MODEL_LAYER + ", so no GGUF model");
        }
        Layer layer = model.get();
        if (layer.digest() == null || !layer.digest().startsWith("sha256:") || layer.size() == null || layer.size() < 0) {
            return new Parsed.Problem("its model layer has no digest sha256:HEX and size");
        }
        try {
            return new Parsed.Model(new Sha256(layer.digest().substring("sha256:".length())), layer.size());
        } catch (IllegalArgumentException e) {
            return new Parsed.Problem("its model layer's digest " + e.getMessage());
        }
    }
}
