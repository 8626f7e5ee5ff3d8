package io.hive.preloader.app.demo;

import io.hive.preloader.core.model.ModelId;

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
}
