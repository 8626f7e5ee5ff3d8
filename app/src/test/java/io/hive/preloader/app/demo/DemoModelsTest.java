package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufHeader;
import io.hive.preloader.core.gguf.GgufReader;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.gguf.TensorInfo;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DemoModelsTest {
    /** The smallest spec the K-quant blocks allow: a file of about a megabyte. */
    static final LlamaSpec TINY = new LlamaSpec(ModelId.of("tiny"), 256, 512, 4, 4, 2, 1000);

    @TempDir
    Path dir;

    static GgufHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            return GgufReader.read(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        }
    }

    @Test
    void shouldWriteAFileTheReaderAcceptsOfTheExpectedSize() throws IOException {
        Path file = DemoModels.write(dir, TINY);

        GgufHeader header = read(file);
        assertThat(file).hasFileName("tiny.gguf");
        assertThat(Files.size(file)).isEqualTo(DemoModels.fileSize(TINY)).isEqualTo(header.fileSize());
        assertThat(header.version()).isEqualTo(3);
        assertThat(header.architecture()).contains("llama");
        assertThat(header.dataOffset() + header.tensorBytes()).isLessThanOrEqualTo(header.fileSize());
        assertThat(header.dataOffset() % header.alignment()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void shouldDescribeALlamaModelAsLlamaCppWould() throws IOException {
        GgufHeader header = read(DemoModels.write(dir, TINY));

        assertThat(header.metadata()).containsKeys("general.name", "general.file_type", "llama.context_length",
                "llama.embedding_length", "llama.block_count", "llama.feed_forward_length", "llama.rope.dimension_count",
                "llama.attention.head_count", "llama.attention.head_count_kv", "llama.attention.layer_norm_rms_epsilon",
                "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id");
        assertThat(header.get("llama.block_count")).contains(new GgufValue.Int(io.hive.preloader.core.gguf.GgufValueType.UINT32, 2));
        assertThat(((GgufValue.Array) header.get("tokenizer.ggml.tokens").orElseThrow()).elements()).hasSize(1000)
                .startsWith(new GgufValue.Str("<unk>"), new GgufValue.Str("<s>"), new GgufValue.Str("</s>"), new GgufValue.Str("<0x00>"));

        Map<String, TensorInfo> tensors = header.tensors().stream().collect(Collectors.toMap(TensorInfo::name, t -> t));
        assertThat(tensors).hasSize(2 + 2 * 9 + 1);
        assertThat(tensors.get("token_embd.weight").dimensions()).containsExactly(256L, 1000L);
        assertThat(tensors.get("token_embd.weight").type()).isEqualTo(GgmlType.Q4_K);
        assertThat(tensors.get("blk.1.attn_q.weight").type()).isEqualTo(GgmlType.Q4_K);
        assertThat(tensors.get("blk.1.attn_v.weight").type()).isEqualTo(GgmlType.Q6_K);
        assertThat(tensors.get("blk.1.ffn_down.weight").dimensions()).containsExactly(512L, 256L);
        assertThat(tensors.get("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
        assertThat(tensors.get("output_norm.weight").type()).isEqualTo(GgmlType.F32);
        assertThat(tensors.get("output.weight").type()).isEqualTo(GgmlType.Q6_K);
    }

    @Test
    void shouldOfferFourModelsOfAboutTheirNamedSizes() {
        List<Long> sizes = DemoModels.DEFAULT.stream().map(DemoModels::fileSize).toList();

        double mib = 1 << 20;
        assertThat(sizes.get(0) / mib).isCloseTo(64, within(4.0));
        assertThat(sizes.get(1) / mib).isCloseTo(96, within(4.0));
        assertThat(sizes.get(2) / mib).isCloseTo(128, within(4.0));
        assertThat(sizes.get(3) / mib).isCloseTo(160, within(4.0));
        assertThat(DemoModels.DEFAULT).extracting(s -> s.id().value()).isSorted();
    }

    @Test
    void shouldWriteTheSmallestDefaultModelCompletely() throws IOException {
        LlamaSpec spec = DemoModels.DEFAULT.getFirst();

        Path file = DemoModels.write(dir, spec);

        GgufHeader header = read(file);
        assertThat(header.fileSize()).isEqualTo(DemoModels.fileSize(spec));
        assertThat(header.tensorCount()).isEqualTo(2 + 8 * 9 + 1);
        assertThat(header.get("llama.embedding_length").map(GgufValue::display)).contains("768");
    }

    @Test
    void shouldReuseAFileOfTheRightSizeAndReplaceOneOfAnother() throws IOException {
        Path file = DemoModels.write(dir, TINY);
        FileTime written = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(file, written);

        DemoModels.ensure(dir, List.of(TINY));
        assertThat(Files.getLastModifiedTime(file)).isEqualTo(written);

        Files.write(file, new byte[] {1, 2, 3});
        assertThat(DemoModels.isCurrent(file, TINY)).isFalse();
        assertThat(DemoModels.ensure(dir, List.of(TINY))).containsExactly(file);
        assertThat(Files.size(file)).isEqualTo(DemoModels.fileSize(TINY));
    }

    @Test
    void shouldRefuseShapesTheQuantBlocksCannotHold() {
        assertThatThrownBy(() -> new LlamaSpec(ModelId.of("x"), 100, 512, 4, 4, 1, 1000)).hasMessageContaining("multiples of 256");
        assertThatThrownBy(() -> new LlamaSpec(ModelId.of("x"), 256, 512, 3, 3, 1, 1000)).hasMessageContaining("do not divide");
    }
}
