package io.hive.preloader.app.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * Runs the CLI as {@code main} does (a {@link Shortcut} where one takes the line, else picocli), with its streams
 * captured, and System.out/err too: nothing may leak there.
 */
final class Cli {

    record Result(int exitCode, String out, String err, String leaked) {
        String[] errLines() {
            return err.lines().toArray(String[]::new);
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        ByteArrayOutputStream leaked = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(leaked, true, StandardCharsets.UTF_8);
        int code;
        try {
            System.setOut(capture);
            System.setErr(capture);
            // After the swap: picocli's default strategy replaces the writers it is given with System.err as it was
            // when the command line was made, if that differs from System.err when it runs.
            code = PreloaderCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
        }
        return new Result(code, out.toString(), err.toString(), leaked.toString(StandardCharsets.UTF_8));
    }

    private Cli() {
    }
}
