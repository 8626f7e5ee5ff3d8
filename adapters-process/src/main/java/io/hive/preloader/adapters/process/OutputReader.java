package io.hive.preloader.adapters.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads a worker's output (stdout and stderr merged) on a thread of its own for as long as the worker writes, so
 * that a full pipe never stalls it. Splits lines at {@code \n}, {@code \r\n} and a lone {@code \r} (progress
 * bars), cuts a line at {@value #MAX_LINE} bytes, decodes UTF-8 leniently, keeps the last lines, passes each line
 * on, and tells when one matches the readiness pattern.
 */
final class OutputReader implements Runnable {
    static final int MAX_LINE = 4096;
    private static final System.Logger LOG = System.getLogger(OutputReader.class.getName());

    private final InputStream in;
    private final OutputTail tail;
    private final Consumer<String> output;
    private final Optional<Pattern> ready;
    private final CompletableFuture<Void> lineSeen = new CompletableFuture<>();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean outputFailed;

    private OutputReader(InputStream in, int tailLines, Consumer<String> output, Optional<Pattern> ready) {
        this.in = in;
        this.tail = new OutputTail(tailLines);
        this.output = output;
        this.ready = ready;
    }

    /** Starts reading {@code process}'s output on a daemon thread. */
    static OutputReader start(Process process, int tailLines, Consumer<String> output, Optional<Pattern> ready) {
        OutputReader reader = new OutputReader(process.getInputStream(), tailLines, output, ready);
        Thread.ofPlatform().daemon().name("worker-" + process.pid() + "-output").start(reader);
        return reader;
    }

    /** Completes when a line matches the readiness pattern (never, without one). */
    CompletableFuture<Void> lineSeen() {
        return lineSeen;
    }

    List<String> lastLines() {
        return tail.lines();
    }

    /**
     * Waits until the output has been read to its end, for at most {@code millis}: a worker's children may hold the
     * pipe open after it exited.
     */
    void awaitDrained(long millis) throws InterruptedException {
        try {
            drained.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // what was read so far is what there is
        }
    }

    @Override
    public void run() {
        byte[] buffer = new byte[16 * 1024];
        boolean afterCr = false;
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (b == '\n') {
                        if (!afterCr) {
                            emit();
                        }
                        afterCr = false;
                    } else if (b == '\r') {
                        emit();
                        afterCr = true;
                    } else {
                        afterCr = false;
                        if (line.size() == MAX_LINE) {
                            emit();
                        }
                        line.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // the stream was closed under us: the worker is gone
        } finally {
            if (line.size() > 0) {
                emit();
            }
            drained.complete(null);
        }
    }

    private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        tail.add(text);
        if (!lineSeen.isDone() && ready.isPresent() && ready.get().matcher(text).find()) {
            lineSeen.complete(null);
        }
        if (!outputFailed) {
            try {
                output.accept(text);
            } catch (RuntimeException e) {
                outputFailed = true; // keep reading: the worker must never block on a full pipe
                LOG.log(System.Logger.Level.WARNING, "the output listener failed; the worker's further lines go only to its tail: " + e, e);
            }
        }
    }
}
