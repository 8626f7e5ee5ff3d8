package io.hive.preloader.core.gguf;

import io.hive.preloader.core.testing.GgufFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Files written by llama.cpp's own tools. The expected figures were read from the same files with llama.cpp's
 * gguf-py {@code GGUFReader} (which has no version 1 support; that row comes from the header's raw bytes).
 */
class GgufReaderRealFilesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // file,                          version, kv, architecture, tokens, data offset
            "ggml-vocab-aquila.gguf,          2, 18, llama,    100008, 4825696",
            "ggml-vocab-baichuan.gguf,        3, 18, baichuan,  64000, 1341024",
            "ggml-vocab-bert-bge.gguf,        3, 20, bert,      30522,  627552",
            "ggml-vocab-deepseek-coder.gguf,  3, 25, llama,     32256, 1156096",
            "ggml-vocab-gpt-2.gguf,           3, 16, gpt2,      50257, 1766816",
            "ggml-vocab-llama-spm.gguf,       3, 22, llama,     32000,  723872",
            "ggml-vocab-phi-3.gguf,           3, 26, phi3,      32064,  726048",
            "ggml-vocab-qwen2.gguf,           3, 20, qwen2,    151936, 5928704",
            "v1-ggml-vocab-llama.gguf,        1, 13, llama,     32000,  595424",
    })
    void readsVocabFilesWrittenByLlamaCpp(String file, int version, long kv, String architecture, int tokens, long dataOffset) {
        byte[] bytes = GgufFixtures.bytes(GgufFixtures.file(file));

        GgufHeader header = GgufReader.read(GgufFixtures.segment(bytes));

        assertThat(header.version()).isEqualTo(version);
        assertThat(header.kvCount()).isEqualTo(kv);
        assertThat(header.metadata()).hasSize((int) kv);
        assertThat(header.tensorCount()).isZero();
        assertThat(header.architecture()).contains(architecture);
        assertThat(header.get("tokenizer.ggml.tokens")).get()
                .isInstanceOfSatisfying(GgufValue.Array.class, a -> {
                    assertThat(a.elementType()).isEqualTo(GgufValueType.STRING);
                    assertThat(a.elements()).hasSize(tokens);
                });
        assertThat(header.alignment()).isEqualTo(32);
        assertThat(header.dataOffset()).isEqualTo(dataOffset);
        assertThat(header.fileSize()).isEqualTo(bytes.length);
    }

    @Test
    void readsEveryValueTypeAndTensorWrittenByGgufPy() {
        GgufHeader h = GgufReader.read(GgufFixtures.segment(GgufFixtures.resource("gguf-py-tensors.gguf")));

        assertThat(h.version()).isEqualTo(3);
        assertThat(h.alignment()).isEqualTo(64);
        assertThat(h.dataOffset()).isEqualTo(896);
        assertThat(h.string("general.name")).contains("tiny written by gguf-py");
        assertThat(h.metadata()).containsEntry("test.u8", new GgufValue.Int(GgufValueType.UINT8, 200))
                .containsEntry("test.i8", new GgufValue.Int(GgufValueType.INT8, -100))
                .containsEntry("test.u16", new GgufValue.Int(GgufValueType.UINT16, 60000))
                .containsEntry("test.i16", new GgufValue.Int(GgufValueType.INT16, -30000))
                .containsEntry("test.u32", new GgufValue.Int(GgufValueType.UINT32, 4_000_000_000L))
                .containsEntry("test.i32", new GgufValue.Int(GgufValueType.INT32, -2_000_000_000))
                .containsEntry("test.u64", new GgufValue.Int(GgufValueType.UINT64, Long.MIN_VALUE + 5))
                .containsEntry("test.i64", new GgufValue.Int(GgufValueType.INT64, -(1L << 62)))
                .containsEntry("test.f32", new GgufValue.Float(GgufValueType.FLOAT32, 1.5))
                .containsEntry("test.f64", new GgufValue.Float(GgufValueType.FLOAT64, -2.25))
                .containsEntry("test.bool", new GgufValue.Bool(true))
                .containsEntry("test.utf8", new GgufValue.Str("héllo ☃ 🦙"));
        GgufValue.Int one = new GgufValue.Int(GgufValueType.INT32, 1);
        assertThat(h.metadata().get("test.nested")).isEqualTo(new GgufValue.Array(GgufValueType.ARRAY, List.of(
                new GgufValue.Array(GgufValueType.INT32, List.of(one, i32(2), i32(3))),
                new GgufValue.Array(GgufValueType.INT32, List.of(i32(4), i32(5))))));
        assertThat(h.tensors()).containsExactly(
                new TensorInfo("token_embd.weight", List.of(32L, 16L), GgmlType.F32, 0, 2048),
                new TensorInfo("blk.0.attn_q.weight", List.of(32L, 32L), GgmlType.F16, 2048, 2048),
                new TensorInfo("blk.0.ffn_up.weight", List.of(64L, 8L), GgmlType.Q8_0, 4096, 544),
                new TensorInfo("output_norm.weight", List.of(7L), GgmlType.F32, 4672, 28));
        assertThat(h.tensorBytes()).isEqualTo(2048 + 2048 + 544 + 28);
    }

    private static GgufValue.Int i32(long v) {
        return new GgufValue.Int(GgufValueType.INT32, v);
    }
}
