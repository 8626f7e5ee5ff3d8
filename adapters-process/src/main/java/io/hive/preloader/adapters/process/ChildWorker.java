package io.hive.preloader.adapters.process;

import io.hive.preloader.core.port.RunningWorker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A child process started by {@link ProcessWorkerLauncher}, its output still being read. */
final class ChildWorker implements RunningWorker {
    private final Process process;
    private final OutputReader output;
    private final CompletableFuture<Integer> exit;

    ChildWorker(Process process, OutputReader output) {
        this.process = process;
        this.output = output;
        this.exit = process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public List<String> lastLines() {
        return output.lastLines();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public CompletableFuture<Integer> exit() {
        return exit;
    }

    @Override
    public CompletableFuture<Integer> stop(Duration grace) {
        // Children first, so that a shell wrapper does not outlive what it started; then the worker itself.
        List<ProcessHandle> family = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        family.forEach(ProcessHandle::destroy);
        exit.copy().completeOnTimeout(-1, Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS).thenRun(() -> family.stream()
                .filter(ProcessHandle::isAlive)
                .forEach(ProcessHandle::destroyForcibly));
        return exit;
    }

    OutputReader output() {
        return output;
    }

    Process process() {
        return process;
    }
}
