package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.cache.Lease;
import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelSource;
import io.hive.preloader.linux.MappedHeader;
import io.hive.preloader.core.service.ModelPreloader;
import io.hive.preloader.core.testing.ModelFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example of a hive embedding the preloader with core and adapters-mmap alone, without Guice. */
class EmbeddingExampleTest {

    /** A hive knows where its models are; this is all a ModelSource needs to say. */
    record HiveModels(Path dir) implements ModelSource {
        @Override
        public List<ModelDescriptor> list() {
            return List.of();
        }

        @Override
        public Optional<ModelDescriptor> find(ModelId id) {
            Path file = dir.resolve(id.value() + ".gguf");
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                long inode = (long) Files.getAttribute(file, "unix:ino");
                return Optional.of(new ModelDescriptor(id, file, new Fingerprint(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), inode)));
            } catch (java.nio.file.NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The file's first bytes, for the preloader to check its header before it loads it. */
        @Override
        public HeaderBytes header(ModelDescriptor model) {
            return MappedHeader.open(model);
        }
    }

    @Test
    void aHiveEmbedsThePreloaderWithoutGuice(@TempDir Path models) throws Exception {
        byte[] weights = ModelFiles.model(3 * 1024 * 1024, 11);
        ModelFiles.write(models, "llama-8b.gguf", weights);

        // --- as in the README ---
        try (ModelPreloader preloader = ModelPreloader.builder()
                .source(new HiveModels(models))
                .store(new MmapRamStore())
                .budget(ByteBudget.parse("16GiB", 0))
                .build()) {
            preloader.preload(ModelId.of("llama-8b")).get(30, TimeUnit.SECONDS);  // async, while the hive does other work
            try (Lease lease = preloader.get(ModelId.of("llama-8b"))) {           // fast path: already resident
                assertThat(lease.bytes().byteSize()).isEqualTo(weights.length);
                assertThat(lease.bytes().mismatch(java.lang.foreign.MemorySegment.ofArray(weights))).isEqualTo(-1);
                // A worker can map the same file: its pages are resident.
                assertThat(lease.handoff()).isEqualTo(new Handoff.PageCacheFile(models.resolve("llama-8b.gguf").toRealPath()));
            }
            assertThat(preloader.stats().hitRate()).isEqualTo(1.0);
        }
    }
}
