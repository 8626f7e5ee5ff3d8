package io.hive.preloader.adapters.cuda;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The FFM bindings themselves, on a machine without a GPU: {@code src/test/c/stubcuda.c} has libcuda's entry points
 * and prototypes and checks the arguments it gets (flags, handles, the IPC handle passed by value), and
 * {@link StubDriverProbe} drives {@link CudaDriver} against it in a JVM of its own. Skipped without a C compiler.
 */
class CudaDriverAbiTest {
    @TempDir
    static Path build;
    static Path library;

    @BeforeAll
    static void compileTheStub() throws Exception {
        Path source = Path.of("src/test/c/stubcuda.c").toAbsolutePath();
        assumeTrue(Files.isRegularFile(source), "no stub source at " + source);
        library = build.resolve("libstubcuda.so");
        Process cc;
        try {
            cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-O1", "-o", library.toString(), source.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler (cc) to build the stub driver: " + e.getMessage());
            return;
        }
        String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cc.waitFor()).as("cc: " + output).isZero();
    }

    private static List<String> probe(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-D" + CudaDriver.LIBRARY_PROPERTY + "=" + library,
                "-cp", System.getProperty("java.class.path"), StubDriverProbe.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().filter(l -> !l.startsWith("WARNING")).toList();
    }

    @Test
    void everyBindingPassesItsArgumentsAndReadsItsResultsAsTheCPrototypesSay() throws Exception {
        assertThat(probe(Map.of())).containsExactly(
                "ok devices 2 Stub GPU 11",
                "ok memory [3, 5]",
                "ok copy true",
                "ok register true",
                "ok chunks true",
                "ok ipc true true",
                "ok host 4096",
                "ok error name CUDA_ERROR_OUT_OF_MEMORY / CUresult 12345");
    }

    @Test
    void aFailingCallIsNamedWithTheErrorNameTheDriverGives() throws Exception {
        assertThat(probe(Map.of("FAKECUDA_FAIL", "cuMemAlloc_v2"), "fail-alloc"))
                .containsExactly("failed: cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (2) allocating m (4.0 KiB) to device 0");
    }
}
