package io.hive.preloader.core.port;

import io.hive.preloader.core.model.ModelId;

import java.util.Objects;
import java.util.Optional;

/**
 * One transfer for a {@link StagingPipeline} to run: where the bytes are, the device allocation to fill, the sink
 * that may pin the staging slots, and what to report.
 *
 * @param target       a writer with one lane per staging slot, sized to the source
 * @param sink         the sink the target belongs to; the pipeline asks it to register its staging memory
 * @param checksums    when present, the CRC32C of each chunk read, in chunks of the pipeline's chunk size
 */
public record StagedTransfer(ModelId model, ChunkSource source, DeviceWriter target, VramSink sink,
                             LoadProgress progress, Cancellation cancellation, Optional<ChunkChecksums> checksums) {
    public StagedTransfer {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(cancellation, "cancellation");
        Objects.requireNonNull(checksums, "checksums");
        if (source.size() != target.bytes()) {
            throw new IllegalArgumentException("the source holds " + source.size() + " bytes but the target " + target.bytes());
        }
        checksums.ifPresent(c -> {
            if (c.size() != source.size()) {
                throw new IllegalArgumentException("checksums cover " + c.size() + " bytes, the source holds " + source.size());
            }
        });
    }
}
