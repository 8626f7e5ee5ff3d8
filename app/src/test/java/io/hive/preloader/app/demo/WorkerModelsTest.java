package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.gguf.TensorInfo;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.testing.GgufFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Models for the worker benchmark: a real vocabulary's tokenizer, llama.cpp's required keys, finite F16 weights. */
class WorkerModelsTest {
    static final Path VOCAB = GgufFixtures.file("ggml-vocab-llama-spm.gguf");

    @TempDir
    Path dir;

    @Test
    void shouldCopyTheTokenizerOfARealVocabularyAndTheKeysLlamaCppNeeds() throws IOException {
        Map<String, GgufValue> tokenizer = WorkerModels.tokenizer(VOCAB);
        GgufHeader vocab = DemoModelsTest.read(VOCAB);
        LlamaSpec small = new LlamaSpec(ModelId.of("small"), 256, 512, 4, 4, 2, WorkerModels.vocabularySize(tokenizer));

        Path file = WorkerModels.write(dir.resolve("small.gguf"), small, tokenizer, GgmlType.F16);

        GgufHeader header = DemoModelsTest.read(file);
        vocab.metadata().forEach((key, value) -> {
            if (key.startsWith("tokenizer.")) {
                assertThat(header.get(key)).as(key).contains(value);
            }
        });
        assertThat(WorkerModels.vocabularySize(tokenizer)).isEqualTo(32000);
        assertThat(header.get("general.file_type")).hasValueSatisfying(v -> assertThat(((GgufValue.Int) v).value()).isEqualTo(1));
        assertThat(header.get("llama.vocab_size")).hasValueSatisfying(v -> assertThat(((GgufValue.Int) v).value()).isEqualTo(32000));
        assertThat(header.get("llama.rope.dimension_count")).hasValueSatisfying(v -> assertThat(((GgufValue.Int) v).value()).isEqualTo(64));
        assertThat(header.get("llama.rope.freq_base")).isPresent();
        assertThat(header.tensors()).filteredOn(t -> t.name().endsWith("norm.weight")).extracting(TensorInfo::type).containsOnly(GgmlType.F32);
        assertThat(header.tensors()).filteredOn(t -> !t.name().endsWith("norm.weight")).extracting(TensorInfo::type).containsOnly(GgmlType.F16);
        assertThat(header.tensors()).filteredOn(t -> t.name().equals("token_embd.weight")).singleElement()
                .satisfies(t -> assertThat(t.dimensions()).containsExactly(256L, 32000L));
        assertThat(Files.size(file)).isEqualTo(header.dataOffset() + WorkerModels.layout(small, tokenizer, GgmlType.F16).dataSize());
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "F32"})
    void shouldWriteOnlyFiniteWeightsOfTheTypeAsked(GgmlType type) throws IOException {
        Map<String, GgufValue> tokenizer = WorkerModels.tokenizer(VOCAB);
        LlamaSpec small = new LlamaSpec(ModelId.of("small"), 256, 512, 4, 4, 1, WorkerModels.vocabularySize(tokenizer));
        Path file = WorkerModels.write(dir.resolve("small.gguf"), small, tokenizer, type);
        GgufHeader header = DemoModelsTest.read(file);
        assertThat(header.tensors()).filteredOn(t -> !t.name().endsWith("norm.weight")).extracting(TensorInfo::type).containsOnly(type);
        long fileType = ((GgufValue.Int) header.get("general.file_type").orElseThrow()).value();
        assertThat(fileType).as("llama_ftype").isEqualTo(switch (type) {
            case F32 -> 0L;
            case BF16 -> 32L;
            default -> 1L;
        });

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            for (TensorInfo t : header.tensors()) {
                long at = header.dataOffset() + t.offset();
                for (long i = 0; i < t.byteSize(); i += 2) {
                    short half = bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + i);
                    float value = t.type() == GgmlType.BF16 ? Float.intBitsToFloat(half << 16) : Float.float16ToFloat(half);
                    if (t.type() != GgmlType.F32 && !Float.isFinite(value)) {
                        throw new AssertionError(t.name() + " holds a non-finite " + t.type() + " at " + i);
                    }
                }
                if (t.type() == GgmlType.F32) {
                    for (long i = 0; i < t.byteSize(); i += 4) {
                        assertThat(Float.isFinite(bytes.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at + i))).isTrue();
                    }
                }
            }
        }
    }

    @Test
    void shouldSizeTinyLlamaByItsLayers() {
        assertThat(WorkerModels.sized(ModelId.of("m"), 2_200_000_000L, 32000, GgmlType.F16).layers()).as("TinyLlama 1.1B in F16").isEqualTo(22);
        assertThat(WorkerModels.sized(ModelId.of("m"), 2L << 30, 32000, GgmlType.F16).layers()).isEqualTo(21);
        assertThat(WorkerModels.sized(ModelId.of("m"), 1, 32000, GgmlType.F16).layers()).isEqualTo(1);
        assertThat(WorkerModels.sized(ModelId.of("m"), 2L << 30, 32000, GgmlType.F32).layers()).as("twice the bytes a weight").isEqualTo(9);
        assertThatThrownBy(() -> WorkerModels.layout(WorkerModels.tinyLlama(ModelId.of("m"), 1, 32000), Map.of(), GgmlType.Q4_K))
                .hasMessageStartingWith("weights of type Q4_K are not written");
    }

    @Test
    void shouldRefuseAFileWithoutAVocabulary() throws IOException {
        Path noVocab = dir.resolve("no-vocab.gguf");
        try (FileChannel out = FileChannel.open(noVocab, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(new GgufWriter().put("general.architecture", "llama").header());
        }

        assertThatThrownBy(() -> WorkerModels.tokenizer(noVocab)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(noVocab + ": no tokenizer.ggml.tokens array: not a vocabulary file");
    }
}
