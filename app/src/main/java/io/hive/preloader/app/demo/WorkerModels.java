package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.gguf.GgufValueType;
import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes llama models that llama.cpp itself loads, for the worker benchmark: the tokenizer of a real vocabulary
 * file (llama.cpp's {@code models/ggml-vocab-*.gguf}, copied key by key), the hyper-parameters llama.cpp requires,
 * and weights of pseudo-random values in F16, BF16 or F32. The shape is TinyLlama 1.1B's (width 2048, 32 heads,
 * 4 key/value heads, feed-forward 5632): in F16 84 MiB a layer, 22 layers make about 2 GiB. The weights are noise,
 * finite and below 2 in magnitude: every 16-bit half has its exponent's top bit cleared, which bounds F16, BF16 and
 * (pairwise) F32 alike.
 * <p>
 * Which type matters to a benchmark of worker starts: on a CPU with AMX (Sapphire Rapids and later) llama.cpp copies
 * F16 and most quantized weights out of the mapping into AMX buffers at every load, while BF16 and F32 weights stay
 * in the mapping, served by the page cache.
 */
public final class WorkerModels {
    /** The weight types a model can be written in. */
    private static final Set<GgmlType> WEIGHT_TYPES = EnumSet.of(GgmlType.F16, GgmlType.BF16, GgmlType.F32);
    /** Clears bit 14 of each 16-bit half: an F16 (and, pairwise, an F32) exponent below its maximum, so never inf or NaN. */
    private static final long FINITE = 0xBFFF_BFFF_BFFF_BFFFL;

    private WorkerModels() {
    }

    /** TinyLlama's shape with {@code layers} blocks over a vocabulary of {@code vocabulary} tokens. */
    public static LlamaSpec tinyLlama(ModelId id, int layers, int vocabulary) {
        return new LlamaSpec(id, 2048, 5632, 32, 4, layers, vocabulary);
    }

    /** TinyLlama's shape with as many layers of {@code weights} as bring the file nearest to {@code bytes} (at least one). */
    public static LlamaSpec sized(ModelId id, long bytes, int vocabulary, GgmlType weights) {
        long one = fileSize(tinyLlama(id, 1, vocabulary), weights);
        long perLayer = fileSize(tinyLlama(id, 2, vocabulary), weights) - one;
        long layers = Math.max(1, 1 + Math.round((bytes - one) / (double) perLayer));
        return tinyLlama(id, Math.toIntExact(layers), vocabulary);
    }

    /** The {@code tokenizer.*} keys of a GGUF vocabulary file, in its order. */
    public static Map<String, GgufValue> tokenizer(Path vocabFile) {
        try (Arena arena = Arena.ofConfined(); FileChannel in = FileChannel.open(vocabFile, StandardOpenOption.READ)) {
            MemorySegment bytes = in.map(FileChannel.MapMode.READ_ONLY, 0, in.size(), arena);
            GgufHeader header = GgufReader.read(bytes);
            Map<String, GgufValue> keys = new LinkedHashMap<>();
            header.metadata().forEach((key, value) -> {
                if (key.startsWith("tokenizer.")) {
                    keys.put(key, value);
                }
            });
            if (!(keys.get("tokenizer.ggml.tokens") instanceof GgufValue.Array)) {
                throw new IllegalArgumentException(vocabFile + ": no tokenizer.ggml.tokens array: not a vocabulary file");
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + vocabFile + ": " + e.getMessage(), e);
        }
    }

    /** How many tokens a tokenizer's {@code tokenizer.ggml.tokens} holds. */
    public static int vocabularySize(Map<String, GgufValue> tokenizer) {
        return ((GgufValue.Array) tokenizer.get("tokenizer.ggml.tokens")).elements().size();
    }

    /** The header and tensor layout of a spec with a tokenizer, its weights of type {@code weights}; nothing is written. */
    public static GgufWriter layout(LlamaSpec spec, Map<String, GgufValue> tokenizer, GgmlType weights) {
        GgmlType w = checked(weights);
        GgufWriter gguf = new GgufWriter();
        gguf.put("general.architecture", "llama");
        gguf.put("general.name", spec.id().value());
        gguf.put("general.file_type", new GgufValue.Int(GgufValueType.UINT32, fileType(w)));
        gguf.putUint32("general.alignment", 32);
        spec.putShape(gguf, 2048);
        tokenizer.forEach(gguf::put);
        spec.putTensors(gguf, name -> w);
        return gguf;
    }

    /** The size of the tensor data {@link #write} makes, without the header. */
    private static long fileSize(LlamaSpec spec, GgmlType weights) {
        long bytes = weights.byteSizeFor(1);
        return spec.layers() * perLayerBytes(spec, bytes) + 2L * spec.embedding() * spec.vocabulary() * bytes + spec.embedding() * 4L;
    }

    private static long perLayerBytes(LlamaSpec spec, long bytesPerWeight) {
        long e = spec.embedding();
        return bytesPerWeight * (2 * e * e + 2 * e * spec.kvWidth() + 3 * e * spec.feedForward()) + 2 * 4 * e;
    }

    private static GgmlType checked(GgmlType weights) {
        if (!WEIGHT_TYPES.contains(weights)) {
            throw new IllegalArgumentException("weights of type " + weights + " are not written; use one of " + WEIGHT_TYPES);
        }
        return weights;
    }

    /** {@code general.file_type}: llama.cpp's {@code LLAMA_FTYPE_ALL_F32}, {@code MOSTLY_F16} or {@code MOSTLY_BF16}. */
    private static int fileType(GgmlType weights) {
        return switch (weights) {
            case F32 -> 0;
            case BF16 -> 32;
            default -> 1;
        };
    }

    /** Writes the model, its weights of type {@code weights}, to a temporary file next to {@code file}, renamed into place once complete. */
    public static Path write(Path file, LlamaSpec spec, Map<String, GgufValue> tokenizer, GgmlType weights) {
        return ModelFile.write(file, layout(spec, tokenizer, weights), spec.id().hashCode(), FINITE);
    }
}
