package io.hive.preloader.app.cli;

import io.hive.preloader.app.demo.DemoModels;
import io.hive.preloader.app.demo.LlamaSpec;
import io.hive.preloader.core.model.ModelId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class InspectCommandTest {
    private static final LlamaSpec SPEC = new LlamaSpec(ModelId.of("tiny-llama"), 256, 512, 4, 4, 2, 1000);

    @TempDir
    Path dir;

    /** Jackson parses it, which checks that the output is one well-formed object. */
    static Map<String, Object> parseJson(String json) {
        assertThat(json.strip().lines()).hasSize(1);
        try {
            return object(new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(json, Object.class));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> array(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }

    @Test
    void shouldPrintOneJsonObjectWithTheContractFields() throws IOException {
        Path file = DemoModels.write(dir, SPEC);

        Cli.Result result = Cli.run("inspect", file.toString(), "--json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.err()).isEmpty();
        Map<String, Object> json = parseJson(result.out());
        assertThat(json).containsEntry("version", 3)
                .containsEntry("tensor_count", 21)
                .containsEntry("kv_count", 23)
                .containsEntry("alignment", 32)
                .containsEntry("architecture", "llama")
                .containsEntry("size", (int) Files.size(file))
                .containsEntry("file", file.toString());
        assertThat(((Number) json.get("data_offset")).longValue()).isPositive().isLessThan(Files.size(file));
        assertThat(((Number) json.get("tensor_bytes")).longValue()).isPositive();
        Map<String, Object> metadata = object(json.get("metadata"));
        assertThat(metadata).containsEntry("general.architecture", "llama")
                .containsEntry("llama.block_count", 2)
                .containsEntry("llama.attention.layer_norm_rms_epsilon", 1.0E-5)
                .containsEntry("tokenizer.ggml.add_bos_token", true)
                .containsEntry("tokenizer.ggml.tokens", Map.of("type", "array", "element_type", "string", "length", 1000));
        assertThat(array(json.get("tensors"))).hasSize(21).first()
                .isEqualTo(Map.of("name", "token_embd.weight", "type", "Q4_K", "shape", List.of(256, 1000), "offset", 0, "bytes", 144000));
    }

    @Test
    void shouldSayNullForAMissingArchitecture() throws IOException {
        Path file = dir.resolve("bare.gguf");
        io.hive.preloader.core.gguf.GgufWriter gguf = new io.hive.preloader.core.gguf.GgufWriter().put("note", "quote \" and \\ and \n\u0001");
        Files.write(file, gguf.header().array());

        Cli.Result result = Cli.run("inspect", "--json", file.toString());

        assertThat(result.exitCode()).isZero();
        Map<String, Object> json = parseJson(result.out());
        assertThat(json).containsEntry("architecture", null).containsEntry("tensor_count", 0);
        assertThat(object(json.get("metadata"))).containsEntry("note", "quote \" and \\ and \n\u0001");
    }

    @Test
    void shouldPrintAHumanSummary() {
        Path file = DemoModels.write(dir, SPEC);

        Cli.Result result = Cli.run("inspect", file.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("architecture  llama", "GGUF version 3", "tensors       21 (", "Q4_K × ",
                "tokenizer.ggml.tokens", "[string × 1000]", "llama.attention.layer_norm_rms_epsilon  1.0E-5");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bad magic", "truncated header", "truncated data", "huge count", "empty"})
    void shouldRefuseACorruptFileWithOneErrorLineAndExit2(String damage) throws IOException {
        Path file = DemoModels.write(dir, SPEC);
        corrupt(file, damage);

        Cli.Result result = Cli.run("inspect", file.toString(), "--json");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.errLines()).singleElement().asString().startsWith("error: " + file + ": ");
        assertThat(result.err()).doesNotContain("Exception", "\tat ");
        assertThat(result.leaked()).doesNotContain("Exception", "\tat ");
    }

    private static void corrupt(Path file, String damage) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            switch (damage) {
                case "bad magic" -> f.write("GGUX".getBytes());
                case "truncated header" -> f.setLength(5000);
                case "truncated data" -> f.setLength(f.length() - 1000);
                case "huge count" -> {
                    f.seek(8);
                    f.writeLong(-1L); // tensor_count of 2^64 - 1
                }
                case "empty" -> f.setLength(0);
                default -> throw new IllegalArgumentException(damage);
            }
        }
    }

    @Test
    void shouldNameTheProblemOfAFileThatIsNotThere() throws IOException {
        assertThat(Cli.run("inspect", dir.resolve("none.gguf").toString()))
                .satisfies(r -> assertThat(r.exitCode()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).isEqualTo("error: " + dir.resolve("none.gguf") + ": no such file\n"));
        assertThat(Cli.run("inspect", dir.toString()).err()).isEqualTo("error: " + dir + ": is a directory, not a GGUF file\n");

        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");
        Cli.Result notGguf = Cli.run("inspect", text.toString());
        assertThat(notGguf.exitCode()).isEqualTo(2);
        assertThat(notGguf.err()).startsWith("error: " + text + ": not a GGUF file: magic is ").endsWith("(at byte 0)\n");
    }

    @Test
    void shouldExit2OnOneLineForBadUsage() {
        for (String[] args : List.of(new String[] {"inspect"}, new String[] {"inspect", "--bogus", "x"}, new String[] {"frobnicate"},
                new String[] {"inspect", "a", "b"})) {
            Cli.Result result = Cli.run(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(result.errLines()).as(String.join(" ", args)).singleElement().asString().startsWith("error: ");
        }
    }

    @Test
    void shouldReadRealFilesWrittenByLlamaCpp() throws IOException {
        String fixtures = System.getProperty("gguf.fixtures");
        assumeTrue(fixtures != null && Files.isDirectory(Path.of(fixtures)), "no GGUF fixtures (run the build's fetch step)");
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of(fixtures))) {
            files = list.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        assumeTrue(!files.isEmpty(), "no GGUF fixtures in " + fixtures);
        for (Path file : files) {
            Cli.Result result = Cli.run("inspect", file.toString(), "--json");
            assertThat(result.exitCode()).as(file + ": " + result.err()).isZero();
            Map<String, Object> json = parseJson(result.out());
            assertThat(json).as(file.toString()).containsKeys("version", "tensor_count", "kv_count", "alignment", "data_offset",
                    "architecture", "size");
        }
    }
}
