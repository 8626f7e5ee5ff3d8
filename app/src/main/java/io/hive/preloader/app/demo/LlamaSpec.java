package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.ModelId;

import java.util.function.Function;

/**
 * The shape of a small llama-architecture model, as llama.cpp's converter would describe it. Hidden and
 * feed-forward widths are multiples of 256, the block of the K-quant types the weights are stored in.
 *
 * @param embedding     {@code llama.embedding_length}, the hidden width
 * @param feedForward   {@code llama.feed_forward_length}
 * @param heads         {@code llama.attention.head_count}
 * @param kvHeads       {@code llama.attention.head_count_kv} (grouped-query attention when fewer than heads)
 * @param layers        {@code llama.block_count}
 * @param vocabulary    tokens in the vocabulary
 */
public record LlamaSpec(ModelId id, int embedding, int feedForward, int heads, int kvHeads, int layers, int vocabulary) {

    public LlamaSpec {
        if (embedding % 256 != 0 || feedForward % 256 != 0) {
            throw new IllegalArgumentException(id + ": embedding and feed-forward widths must be multiples of 256 (the K-quant block)");
        }
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0 || embedding % heads != 0) {
            throw new IllegalArgumentException(id + ": " + heads + " heads and " + kvHeads + " kv heads do not divide the width " + embedding);
        }
        if (layers <= 0 || vocabulary < 3 + 256) {
            throw new IllegalArgumentException(id + ": needs at least one layer and " + (3 + 256) + " tokens");
        }
        if ((embedding / heads * kvHeads) % 256 != 0) {
            throw new IllegalArgumentException(id + ": the key/value width " + (embedding / heads * kvHeads) + " must be a multiple of 256");
        }
    }

    public int headDimension() {
        return embedding / heads;
    }

    /** Width of the key and value projections: {@code kvHeads} heads of {@link #headDimension()}. */
    public int kvWidth() {
        return headDimension() * kvHeads;
    }

    /** The keys llama.cpp reads this shape from, for a context of {@code contextLength} tokens. */
    void putShape(GgufWriter gguf, int contextLength) {
        gguf.putUint32("llama.vocab_size", vocabulary);
        gguf.putUint32("llama.context_length", contextLength);
        gguf.putUint32("llama.embedding_length", embedding);
        gguf.putUint32("llama.block_count", layers);
        gguf.putUint32("llama.feed_forward_length", feedForward);
        gguf.putUint32("llama.rope.dimension_count", headDimension());
        gguf.putFloat32("llama.rope.freq_base", 10000);
        gguf.putUint32("llama.attention.head_count", heads);
        gguf.putUint32("llama.attention.head_count_kv", kvHeads);
        gguf.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5);
    }

    /**
     * The tensors of this shape in llama.cpp's order: the norms in F32, every other tensor in the type
     * {@code weightType} gives for its name without the block prefix (e.g. {@code attn_v.weight}).
     */
    void putTensors(GgufWriter gguf, Function<String, GgmlType> weightType) {
        long e = embedding;
        gguf.tensor("token_embd.weight", weightType.apply("token_embd.weight"), e, vocabulary);
        for (int i = 0; i < layers; i++) {
            String blk = "blk." + i + ".";
            gguf.tensor(blk + "attn_norm.weight", GgmlType.F32, e);
            gguf.tensor(blk + "attn_q.weight", weightType.apply("attn_q.weight"), e, e);
            gguf.tensor(blk + "attn_k.weight", weightType.apply("attn_k.weight"), e, kvWidth());
            gguf.tensor(blk + "attn_v.weight", weightType.apply("attn_v.weight"), e, kvWidth());
            gguf.tensor(blk + "attn_output.weight", weightType.apply("attn_output.weight"), e, e);
            gguf.tensor(blk + "ffn_norm.weight", GgmlType.F32, e);
            gguf.tensor(blk + "ffn_gate.weight", weightType.apply("ffn_gate.weight"), e, feedForward);
            gguf.tensor(blk + "ffn_up.weight", weightType.apply("ffn_up.weight"), e, feedForward);
            gguf.tensor(blk + "ffn_down.weight", weightType.apply("ffn_down.weight"), feedForward, e);
        }
        gguf.tensor("output_norm.weight", GgmlType.F32, e);
        gguf.tensor("output.weight", weightType.apply("output.weight"), e, vocabulary);
    }
}
