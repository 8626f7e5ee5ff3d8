package io.hive.preloader.adapters.http;

import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.port.WorkerLauncher;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.port.WorkerStart;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plain {@link WorkerLauncher} for these tests (adapters-http may not use adapters-process): a child process through
 * {@link ProcessBuilder}, ready on a line ({@link ReadinessProbe.Line}) or a clean exit; ports are not probed.
 */
final class ShellLauncher implements WorkerLauncher {

    @Override
    public WorkerStart start(WorkerRequest request, Started started) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(request.command()).redirectErrorStream(true);
        builder.environment().putAll(request.environment());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new WorkerStart.NotStarted(e.getMessage());
        }
        started.started(process.pid(), process.onExit().thenApply(Process::exitValue));
        ArrayDeque<String> lines = new ArrayDeque<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > 20) {
                            lines.removeFirst();
                        }
                    }
                    if (request.probe() instanceof ReadinessProbe.Line l && l.pattern().matcher(line).find()) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // The process went away.
            }
        });
        Worker worker = new Worker(process, lines);
        try {
            CompletableFuture.anyOf(ready, process.onExit()).get(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            process.destroyForcibly().waitFor();
            return new WorkerStart.TimedOut(process.pid(), worker.lastLines());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            throw e;
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        if (ready.isDone()) {
            return new WorkerStart.Ready(worker);
        }
        process.waitFor();
        reader.join(request.timeout()); // the last lines: the reader ends when the pipe does
        if (request.probe() instanceof ReadinessProbe.Exit && process.exitValue() == 0) {
            return new WorkerStart.Ready(worker);
        }
        return new WorkerStart.Exited(process.pid(), process.exitValue(), worker.lastLines());
    }

    private record Worker(Process process, ArrayDeque<String> lines) implements RunningWorker {
        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public List<String> lastLines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public CompletableFuture<Integer> stop(Duration grace) {
            process.destroy();
            CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS).execute(process::destroyForcibly);
            return exit();
        }
    }
}
