package io.hive.preloader.app.cli;

import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.app.demo.WorkerModels;
import io.hive.preloader.core.gguf.GgmlType;
import io.hive.preloader.core.gguf.GgufFormatException;
import io.hive.preloader.core.gguf.GgufValue;
import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code preloader generate OUT.gguf --vocab FILE [--size 2GiB]}: writes a llama model that llama.cpp loads, with a
 * real vocabulary and random F16 weights, as the subject of worker benchmarks.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Writes a llama-architecture GGUF model that llama.cpp loads: the tokenizer of a real vocabulary "
                + "file (llama.cpp's models/ggml-vocab-*.gguf), TinyLlama's shape with as many layers as reach the size, "
                + "and random F16 weights. Its answers are noise; it is a subject for load and start benchmarks."})
final class GenerateCommand extends Subcommand {

    @Parameters(paramLabel = "OUT", description = "the .gguf file to write (replaced if it exists)")
    Path out;

    @Option(names = "--vocab", paramLabel = "FILE", required = true,
            description = "a GGUF vocabulary file whose tokenizer.* keys are copied, e.g. ggml-vocab-llama-spm.gguf")
    Path vocab;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "2GiB", description = "about how large: 1GiB, 2GiB, 1500MiB (default ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "f16",
            description = "the weights' type: f16, bf16 or f32 (default ${DEFAULT-VALUE}); on a CPU with AMX llama.cpp copies "
                    + "F16 weights out of the mapping at each load, BF16 and F32 it serves from the page cache")
    String type;

    @Override
    public Integer call() {
        String name = out.getFileName().toString();
        if (!name.endsWith(".gguf")) {
            throw Failure.badInput(out + ": the model file's name must end in .gguf");
        }
        if (!Files.isRegularFile(vocab)) {
            throw Failure.badInput(vocab + ": no such file");
        }
        long bytes;
        try {
            bytes = ByteSize.parse(size);
        } catch (IllegalArgumentException e) {
            throw Failure.badInput("--size: '" + size + "' is not a size like 2GiB or 1500MiB");
        }
        Map<String, GgufValue> tokenizer;
        try {
            tokenizer = WorkerModels.tokenizer(vocab);
        } catch (GgufFormatException e) {
            throw Failure.badInput(vocab + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw Failure.badInput(e.getMessage(), e);
        }
        GgmlType weights = switch (type.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            case "f32" -> GgmlType.F32;
            default -> throw Failure.badInput("--type: '" + type + "' is not one of f16, bf16, f32");
        };
        String id = name.substring(0, name.length() - ".gguf".length());
        LlamaSpec shape;
        try {
            shape = WorkerModels.sized(ModelId.of(id), bytes, WorkerModels.vocabularySize(tokenizer), weights);
        } catch (IllegalArgumentException e) {
            throw Failure.badInput(out + ": " + e.getMessage(), e);
        }
        long start = System.nanoTime();
        Path written = WorkerModels.write(out, shape, tokenizer, weights);
        long fileBytes = written.toFile().length();
        out().printf("wrote %s: %s, llama with %d layers of width %d, %s, a %d-token vocabulary from %s, in %s%n",
                written, Units.bytes(fileBytes), shape.layers(), shape.embedding(), weights, shape.vocabulary(), vocab.getFileName(),
                Units.seconds(Duration.ofNanos(System.nanoTime() - start)));
        out().flush();
        return 0;
    }
}
