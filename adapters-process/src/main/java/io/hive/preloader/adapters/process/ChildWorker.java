package io.hive.preloader.adapters.process;

import io.hive.preloader.core.port.RunningWorker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A child process started by {@link ProcessWorkerLauncher}, its output still being read and its process tree
 * followed ({@link ProcessTree}): {@link #exit} is the child's own exit, {@link #gone} that of the whole tree.
 */
final class ChildWorker implements RunningWorker {
    private final Process process;
    private final OutputReader output;
    private final ProcessTree tree;
    private final CompletableFuture<Integer> exit;

    ChildWorker(Process process, OutputReader output, ProcessTree tree) {
        this.process = process;
        this.output = output;
        this.tree = tree;
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

    /** Completes once the worker and every process of its tree seen alive have exited. */
    CompletableFuture<Integer> gone() {
        return tree.gone();
    }

    @Override
    public CompletableFuture<Integer> stop(Duration grace) {
        // Children first, so that a shell wrapper does not outlive what it started, those whose parent has gone
        // included; then the worker itself.
        List<ProcessHandle> family = Stream.concat(tree.descendants().stream(), Stream.of(process.toHandle())).toList();
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
