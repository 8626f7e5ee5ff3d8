package io.hive.preloader.core.gguf;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GgufWriterTest {

    @Test
    void writesAHeaderTheReaderReadsBackWithTensorsAtAlignedOffsets() {
        GgufWriter writer = new GgufWriter()
                .put("general.architecture", "llama")
                .putUint32("general.alignment", 64)
                .putFloat32("llama.rope.freq_base", 10000)
                .put("tokenizer.ggml.tokens", new GgufValue.Array(GgufValueType.STRING, List.of(new GgufValue.Str("<s>"), new GgufValue.Str("a"))))
                .tensor("token_embd.weight", GgmlType.Q4_K, 256, 10)
                .tensor("output_norm.weight", GgmlType.F32, 10);
        ByteBuffer header = writer.header();
        byte[] file = new byte[header.remaining() + (int) writer.dataSize()];
        header.get(file, 0, header.remaining());

        GgufHeader read = GgufReader.read(MemorySegment.ofArray(file));

        assertThat(read.dataOffset() % 64).isZero();
        assertThat(read.tensors()).isEqualTo(writer.tensors());
        assertThat(read.tensors().get(1).offset()).isEqualTo(1472); // 10 Q4_K blocks of 144 bytes, padded to 64
        assertThat(read.metadata()).containsEntry("llama.rope.freq_base", new GgufValue.Float(GgufValueType.FLOAT32, 10000));
    }

    @Test
    void refusesAShapeThatIsNotAWholeNumberOfBlocks() {
        assertThatThrownBy(() -> new GgufWriter().tensor("t", GgmlType.Q8_0, 33)).hasMessageContaining("whole number of Q8_0 blocks");
    }
}
