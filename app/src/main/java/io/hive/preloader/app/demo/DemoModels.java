package io.hive.preloader.app.demo;

import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.gguf.GgufValueType;
import io.hive.preloader.core.gguf.GgufWriter;
import io.hive.preloader.core.model.ModelId;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes GGUF files of a realistic llama structure for the demo: the metadata llama.cpp's converter writes
 * (hyper-parameters, tokenizer), the tensors of every block in Q4_K / Q6_K with F32 norms, and pseudo-random
 * weights. Their headers are real; their weights are noise, which is all a preloader needs.
 */
public final class DemoModels {
    /** Four models of about 64, 96, 128 and 160 MiB: about 450 MiB in all. */
    public static final List<LlamaSpec> DEFAULT = List.of(
            new LlamaSpec(ModelId.of("llama-demo-1-64m"), 768, 2048, 12, 4, 8, 32000),
            new LlamaSpec(ModelId.of("llama-demo-2-96m"), 1024, 2816, 16, 4, 8, 32000),
            new LlamaSpec(ModelId.of("llama-demo-3-128m"), 1024, 2816, 16, 4, 12, 32000),
            new LlamaSpec(ModelId.of("llama-demo-4-160m"), 1280, 3584, 20, 4, 10, 32000));

    /** {@code LLAMA_FTYPE_MOSTLY_Q4_K_M}: Q4_K weights with some Q6_K, as llama.cpp's quantizer writes it. */
    private static final int FILE_TYPE_Q4_K_M = 15;

    private DemoModels() {
    }

    /** The file name a spec is written to: its id and {@code .gguf}. */
    public static Path fileFor(Path folder, LlamaSpec spec) {
        return folder.resolve(spec.id().value() + ".gguf");
    }

    /** The header and tensor layout of a spec; nothing is written. */
    private static GgufWriter layout(LlamaSpec spec) {
        GgufWriter gguf = new GgufWriter();
        gguf.put("general.architecture", "llama");
        gguf.put("general.name", spec.id().value());
        gguf.put("general.file_type", new GgufValue.Int(GgufValueType.UINT32, FILE_TYPE_Q4_K_M));
        gguf.put("general.quantization_version", new GgufValue.Int(GgufValueType.UINT32, 2));
        gguf.putUint32("general.alignment", 32);
        spec.putShape(gguf, 4096);
        tokenizer(gguf, spec.vocabulary());
        // Q4_K_M's mix: most weights Q4_K, the value, down and output projections Q6_K.
        spec.putTensors(gguf, name -> switch (name) {
            case "attn_v.weight", "ffn_down.weight", "output.weight" -> GgmlType.Q6_K;
            default -> GgmlType.Q4_K;
        });
        return gguf;
    }

    /** A SentencePiece-style vocabulary: the three control tokens, the 256 byte tokens, then word pieces. */
    private static void tokenizer(GgufWriter gguf, int vocabulary) {
        List<GgufValue> tokens = new ArrayList<>(vocabulary);
        List<GgufValue> scores = new ArrayList<>(vocabulary);
        List<GgufValue> types = new ArrayList<>(vocabulary);
        String[] control = {"<unk>", "<s>", "</s>"};
        for (int t = 0; t < vocabulary; t++) {
            String text;
            int type; // llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte
            if (t < control.length) {
                text = control[t];
                type = t == 0 ? 2 : 3;
            } else if (t < control.length + 256) {
                text = String.format("<0x%02X>", t - control.length);
                type = 6;
            } else {
                text = "\u2581" + Integer.toString(t, 36);
                type = 1;
            }
            tokens.add(new GgufValue.Str(text));
            scores.add(new GgufValue.Float(GgufValueType.FLOAT32, t < control.length + 256 ? 0.0 : -(t - 259) / 10.0));
            types.add(new GgufValue.Int(GgufValueType.INT32, type));
        }
        gguf.put("tokenizer.ggml.model", "llama");
        gguf.put("tokenizer.ggml.tokens", new GgufValue.Array(GgufValueType.STRING, tokens));
        gguf.put("tokenizer.ggml.scores", new GgufValue.Array(GgufValueType.FLOAT32, scores));
        gguf.put("tokenizer.ggml.token_type", new GgufValue.Array(GgufValueType.INT32, types));
        gguf.putUint32("tokenizer.ggml.bos_token_id", 1);
        gguf.putUint32("tokenizer.ggml.eos_token_id", 2);
        gguf.putUint32("tokenizer.ggml.unknown_token_id", 0);
        gguf.put("tokenizer.ggml.add_bos_token", new GgufValue.Bool(true));
    }

    /** The exact size of the file {@link #write} makes for a spec. */
    public static long fileSize(LlamaSpec spec) {
        GgufWriter gguf = layout(spec);
        return gguf.header().remaining() + gguf.dataSize();
    }

    /**
     * Makes sure every spec has its file in {@code folder}, writing those that are missing or of the wrong size;
     * a file of the expected size is kept as it is.
     *
     * @return the files, in the order of the specs
     */
    public static List<Path> ensure(Path folder, List<LlamaSpec> specs) {
        List<Path> files = new ArrayList<>();
        for (LlamaSpec spec : specs) {
            Path file = fileFor(folder, spec);
            if (!isCurrent(file, spec)) {
                write(folder, spec);
            }
            files.add(file);
        }
        return files;
    }

    /** Whether a file of this spec's exact size is already there. */
    public static boolean isCurrent(Path file, LlamaSpec spec) {
        try {
            return Files.isRegularFile(file) && Files.size(file) == fileSize(spec);
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes one model: to a temporary file first, renamed into place once complete. */
    public static Path write(Path folder, LlamaSpec spec) {
        return ModelFile.write(fileFor(folder, spec), layout(spec), spec.id().hashCode(), -1L);
    }
}
