package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The smallest real ModelSource: {@code *.gguf} files in one folder, looked up afresh on every call, with the digests
 * a test says their bytes must have.
 */
public final class FolderSource implements ModelSource {
    private final Path folder;
    private final Map<ModelId, Sha256> digests = new ConcurrentHashMap<>();

    public FolderSource(Path folder) {
        this.folder = folder;
    }

    /** From now on the model's bytes must have this SHA-256 (as a sidecar would say). */
    public FolderSource digest(ModelId id, Sha256 digest) {
        digests.put(id, digest);
        return this;
    }

    private ModelDescriptor withDigest(ModelDescriptor model) {
        return model.withDigest(Optional.ofNullable(digests.get(model.id())));
    }

    @Override
    public List<ModelDescriptor> list() {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".gguf")).sorted().map(ModelFiles::describe).map(this::withDigest).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<ModelDescriptor> find(ModelId id) {
        Path file = folder.resolve(id.value() + ".gguf");
        return Files.isRegularFile(file) ? Optional.of(withDigest(ModelFiles.describe(file))) : Optional.empty();
    }

    @Override
    public HeaderBytes header(ModelDescriptor model) {
        return FileHeader.open(model);
    }
}
