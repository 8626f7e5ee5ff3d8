package io.hive.preloader.app;

import io.hive.preloader.app.cli.ReleaseVersion;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What main does before picocli: the version alone, printed as picocli prints it and returned from, not exited. */
class MainTest {

    @Test
    void shouldPrintTheVersionAloneWithoutTheCommandLine() {
        for (String option : new String[] {"--version", "-V"}) {
            PrintStream systemOut = System.out;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                Main.main(new String[] {option}); // System.exit here would end the test JVM
            } finally {
                System.setOut(systemOut);
            }
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(ReleaseVersion.line() + System.lineSeparator());
        }
    }
}
