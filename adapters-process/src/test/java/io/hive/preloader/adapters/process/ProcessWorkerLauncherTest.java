package io.hive.preloader.adapters.process;

import io.hive.preloader.core.port.ReadinessProbe;
import io.hive.preloader.core.port.RunningWorker;
import io.hive.preloader.core.port.WorkerRequest;
import io.hive.preloader.core.port.WorkerStart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real child processes: each readiness probe, failed starts with their exit status and last lines, and stopping. */
class ProcessWorkerLauncherTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    final ProcessWorkerLauncher launcher = new ProcessWorkerLauncher();
    final List<RunningWorker> started = new ArrayList<>();

    @AfterEach
    void stopWorkers() throws Exception {
        for (RunningWorker w : started) {
            w.stop(Duration.ZERO).get(10, TimeUnit.SECONDS);
        }
    }

    static List<String> sh(String script) {
        return List.of("/bin/sh", "-c", script);
    }

    static WorkerRequest request(List<String> command, ReadinessProbe probe) {
        return new WorkerRequest(command, Map.of(), probe, TIMEOUT, line -> { });
    }

    RunningWorker ready(WorkerStart start) {
        assertThat(start).isInstanceOf(WorkerStart.Ready.class);
        RunningWorker worker = ((WorkerStart.Ready) start).worker();
        started.add(worker);
        return worker;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return s.getLocalPort();
        }
    }

    @Nested
    class LineProbe {
        @Test
        void shouldBeReadyWhenALineMatchesAndKeepTheWorkerRunning() throws Exception {
            WorkerStart start = launcher.start(request(sh("echo loading; echo 'server ready on 8080' >&2; exec sleep 60"),
                    ReadinessProbe.line("ready on \\d+")));

            RunningWorker worker = ready(start);
            assertThat(worker.isAlive()).isTrue();
            assertThat(worker.lastLines()).containsExactly("loading", "server ready on 8080");
            assertThat(worker.stop(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS)).as("SIGTERM").isEqualTo(128 + 15);
        }

        @Test
        void shouldPassEveryLineOnInOrderAlsoAfterReady() throws Exception {
            List<String> lines = new CopyOnWriteArrayList<>();
            WorkerRequest request = new WorkerRequest(sh("echo one; echo ready; echo two; echo three"), Map.of(),
                    ReadinessProbe.line("^ready$"), TIMEOUT, lines::add);

            RunningWorker worker = ready(launcher.start(request));

            assertThat(worker.exit().get(10, TimeUnit.SECONDS)).isZero();
            await().until(() -> lines.size() == 4);
            assertThat(lines).containsExactly("one", "ready", "two", "three");
        }

        @Test
        void shouldCountAReadyLinePrintedJustBeforeTheWorkerExits() throws Exception {
            RunningWorker worker = ready(launcher.start(request(sh("echo ready; exit 0"), ReadinessProbe.line("ready"))));

            assertThat(worker.exit().get(10, TimeUnit.SECONDS)).isZero();
        }

        @Test
        void shouldGiveTheWorkerTheRequestedEnvironment() throws Exception {
            WorkerRequest request = new WorkerRequest(sh("echo \"model at $PRELOADER_MODEL\"; exec sleep 60"),
                    Map.of("PRELOADER_MODEL", "/models/a.gguf"), ReadinessProbe.line("model at"), TIMEOUT, line -> { });

            assertThat(ready(launcher.start(request)).lastLines()).containsExactly("model at /models/a.gguf");
        }

        @Test
        void shouldSplitLinesAtCarriageReturnsAndCutLongOnes() throws Exception {
            String longLine = "x".repeat(OutputReader.MAX_LINE + 10);
            RunningWorker worker = ready(launcher.start(request(sh("printf 'a\\rb\\r\\nc\\n" + longLine + "\\n'; echo ready; exec sleep 60"),
                    ReadinessProbe.line("^ready"))));

            assertThat(worker.lastLines()).containsExactly("a", "b", "c", "x".repeat(OutputReader.MAX_LINE), "x".repeat(10), "ready");
        }
    }

    @Nested
    class PortProbe {
        @Test
        void shouldBeReadyWhenThePortOpensOnLoopback() throws Exception {
            int port = freePort();

            RunningWorker worker = ready(launcher.start(request(PortWorker.command(port), ReadinessProbe.port(port))));

            assertThat(worker.isAlive()).isTrue();
            assertThat(LoopbackPort.isOpen(port)).isTrue();
            worker.stop(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            await().until(() -> !LoopbackPort.isOpen(port));
        }

        @Test
        void shouldRefuseAPortThatIsAlreadyOpenAndStartNothing() throws Exception {
            try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
                int port = other.getLocalPort();
                List<String> lines = new CopyOnWriteArrayList<>();

                WorkerStart start = launcher.start(new WorkerRequest(sh("echo started"), Map.of(), ReadinessProbe.port(port), TIMEOUT, lines::add));

                assertThat(start).isInstanceOfSatisfying(WorkerStart.NotStarted.class, n -> assertThat(n.reason())
                        .isEqualTo("port " + port + " on 127.0.0.1 is already open before the worker started: "
                                + "the probe could not tell the worker's listener from another process's"));
                assertThat(lines).isEmpty();
            }
        }

        @Test
        void shouldReportAWorkerThatExitsWithoutOpeningThePort() throws Exception {
            int port = freePort();

            WorkerStart start = launcher.start(request(sh("echo 'bind: permission denied' >&2; exit 7"), ReadinessProbe.port(port)));

            assertThat(start).isInstanceOfSatisfying(WorkerStart.Exited.class, e -> {
                assertThat(e.exitCode()).isEqualTo(7);
                assertThat(e.lastLines()).containsExactly("bind: permission denied");
            });
        }
    }

    @Nested
    class ExitProbe {
        @Test
        void shouldBeReadyWhenTheWorkerExitsCleanly() throws Exception {
            RunningWorker worker = ready(launcher.start(request(sh("echo checked"), ReadinessProbe.exit())));

            assertThat(worker.isAlive()).isFalse();
            assertThat(worker.exit().get(1, TimeUnit.SECONDS)).isZero();
            assertThat(worker.lastLines()).containsExactly("checked");
        }

        @Test
        void shouldReportANonZeroExitAsAFailedStart() throws Exception {
            WorkerStart start = launcher.start(request(sh("echo 'checksum mismatch'; exit 3"), ReadinessProbe.exit()));

            assertThat(start).isEqualTo(new WorkerStart.Exited(((WorkerStart.Exited) start).pid(), 3, List.of("checksum mismatch")));
        }
    }

    @Nested
    class FailedStarts {
        @Test
        void shouldReportTheExitStatusAndTheLastLinesOfAWorkerThatDiesBeforeReady() throws Exception {
            WorkerStart start = launcher.start(request(sh("for i in $(seq 1 30); do echo line $i; done; echo 'fatal: cannot load model' >&2; exit 3"),
                    ReadinessProbe.line("ready")));

            List<String> expected = new ArrayList<>(IntStream.rangeClosed(12, 30).mapToObj(i -> "line " + i).toList());
            expected.add("fatal: cannot load model");
            assertThat(start).isInstanceOfSatisfying(WorkerStart.Exited.class, e -> {
                assertThat(e.exitCode()).isEqualTo(3);
                assertThat(e.lastLines()).as("the last %d lines, stderr included", ProcessWorkerLauncher.DEFAULT_TAIL_LINES)
                        .isEqualTo(expected);
            });
        }

        @Test
        void shouldReportTheSignalThatKilledAWorker() throws Exception {
            WorkerStart start = launcher.start(request(sh("echo about to crash; kill -SEGV $$"), ReadinessProbe.line("ready")));

            assertThat(start).isInstanceOfSatisfying(WorkerStart.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(128 + 11));
        }

        @Test
        void shouldSayWhyAProgramCouldNotBeStarted() throws Exception {
            WorkerStart start = launcher.start(request(List.of("/nonexistent/llama-server", "-m", "x"), ReadinessProbe.line("ready")));

            assertThat(start).isInstanceOfSatisfying(WorkerStart.NotStarted.class, n -> assertThat(n.reason())
                    .contains("/nonexistent/llama-server").contains("No such file or directory"));
        }

        @Test
        void shouldStopAWorkerThatIsNotReadyInTimeAndKeepItsLastLines() throws Exception {
            List<Long> pids = new CopyOnWriteArrayList<>();
            // The readiness timeout runs out on an event, not by the clock: once the worker has printed its last line.
            CompletableFuture<Void> loading = new CompletableFuture<>();
            ProcessWorkerLauncher timingOut = new ProcessWorkerLauncher(ProcessWorkerLauncher.DEFAULT_TAIL_LINES, timeout -> loading);
            WorkerRequest request = new WorkerRequest(sh("echo $$; echo still loading; exec sleep 60"), Map.of(),
                    ReadinessProbe.line("never printed"), TIMEOUT, pidFrom(pids).andThen(line -> {
                        if (line.equals("still loading")) {
                            loading.complete(null);
                        }
                    }));

            WorkerStart start = timingOut.start(request);

            assertThat(start).isInstanceOfSatisfying(WorkerStart.TimedOut.class, t -> {
                assertThat(t.lastLines()).containsExactly(Long.toString(t.pid()), "still loading");
                assertThat(ProcessHandle.of(t.pid()).map(ProcessHandle::isAlive).orElse(false)).as("stopped").isFalse();
            });
        }

        @Test
        void shouldStopAWorkerWhoseReadinessTimeoutPassesOnTheClock() throws Exception {
            WorkerStart start = launcher.start(new WorkerRequest(sh("exec sleep 60"), Map.of(), ReadinessProbe.line("never printed"),
                    Duration.ofMillis(100), line -> { }));

            assertThat(start).isInstanceOfSatisfying(WorkerStart.TimedOut.class,
                    t -> assertThat(ProcessHandle.of(t.pid()).map(ProcessHandle::isAlive).orElse(false)).as("stopped").isFalse());
        }

        @Test
        void shouldKillTheWorkerWhenTheWaitingThreadIsInterrupted() throws Exception {
            List<Long> pids = new CopyOnWriteArrayList<>();
            Thread waiting = Thread.currentThread();
            CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
                await().until(() -> !pids.isEmpty());
                waiting.interrupt();
            });
            WorkerRequest request = new WorkerRequest(sh("echo $$; exec sleep 60"), Map.of(), ReadinessProbe.line("never"), TIMEOUT, pidFrom(pids));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcher.start(request)).isInstanceOf(InterruptedException.class);

            interrupter.get(10, TimeUnit.SECONDS);
            Thread.interrupted();
            await().until(() -> ProcessHandle.of(pids.getFirst()).map(h -> !h.isAlive()).orElse(true));
        }
    }

    @Test
    void shouldStopTheWorkersChildrenWithIt() throws Exception {
        List<Long> pids = new CopyOnWriteArrayList<>();
        WorkerRequest request = new WorkerRequest(sh("sleep 60 & echo $!; echo ready; wait"), Map.of(), ReadinessProbe.line("ready"), TIMEOUT, pidFrom(pids));
        RunningWorker worker = ready(launcher.start(request));
        ProcessHandle child = ProcessHandle.of(pids.getFirst()).orElseThrow();
        assertThat(child.isAlive()).isTrue();

        worker.stop(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);

        await().until(() -> !child.isAlive());
    }

    @Nested
    class TheProcessTree {
        /** The hold on a worker's model must start with its process, not once it is ready. */
        @Test
        void shouldTellThePidAsSoonAsTheProcessExistsBeforeItIsReady() throws Exception {
            List<Long> printed = new CopyOnWriteArrayList<>();
            CompletableFuture<Long> told = new CompletableFuture<>();
            CompletableFuture<CompletableFuture<Integer>> gone = new CompletableFuture<>();
            WorkerRequest request = new WorkerRequest(sh("echo $$; exec sleep 60"), Map.of(), ReadinessProbe.line("never"), TIMEOUT, pidFrom(printed));

            CompletableFuture<WorkerStart> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return launcher.start(request, (pid, end) -> {
                        told.complete(pid);
                        gone.complete(end);
                    });
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            long pid = told.get(10, TimeUnit.SECONDS);
            await().until(() -> !printed.isEmpty());
            assertThat(printed.getFirst()).isEqualTo(pid);
            assertThat(starting).as("still waiting for its readiness").isNotDone();
            assertThat(gone.get()).isNotDone();
            ProcessHandle.of(pid).orElseThrow().destroy();
            assertThat(starting.get(10, TimeUnit.SECONDS)).isInstanceOf(WorkerStart.Exited.class);
            assertThat(gone.get().get(10, TimeUnit.SECONDS)).isEqualTo(128 + 15);
        }

        /** A wrapper that starts the real worker and exits did end the worker's hold on its model. */
        @Test
        void shouldEndOnlyOnceTheProcessesAWrapperStartedHaveExited() throws Exception {
            List<Long> pids = new CopyOnWriteArrayList<>();
            CompletableFuture<CompletableFuture<Integer>> gone = new CompletableFuture<>();
            WorkerRequest request = new WorkerRequest(sh("sleep 60 & echo $!; sleep 1; exit 0"), Map.of(), ReadinessProbe.exit(), TIMEOUT,
                    pidFrom(pids));

            RunningWorker wrapper = ready(launcher.start(request, (pid, end) -> gone.complete(end)));

            assertThat(wrapper.exit()).as("the wrapper itself").isDone();
            ProcessHandle worker = ProcessHandle.of(pids.getFirst()).orElseThrow();
            assertThat(worker.isAlive()).isTrue();
            assertThat(gone.get()).as("its worker still runs").isNotDone();
            worker.destroy();
            assertThat(gone.get().get(10, TimeUnit.SECONDS)).as("the wrapper's status").isZero();
            assertThat(worker.isAlive()).isFalse();
        }

        @Test
        void shouldEndForAnInterruptedStartOnlyOnceTheKilledWorkerHasExited() throws Exception {
            List<Long> pids = new CopyOnWriteArrayList<>();
            CompletableFuture<CompletableFuture<Integer>> gone = new CompletableFuture<>();
            Thread waiting = Thread.currentThread();
            CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
                await().until(() -> !pids.isEmpty());
                waiting.interrupt();
            });
            WorkerRequest request = new WorkerRequest(sh("echo $$; exec sleep 60"), Map.of(), ReadinessProbe.line("never"), TIMEOUT, pidFrom(pids));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcher.start(request, (pid, end) -> gone.complete(end)))
                    .isInstanceOf(InterruptedException.class);

            interrupter.get(10, TimeUnit.SECONDS);
            Thread.interrupted();
            gone.get().get(10, TimeUnit.SECONDS);
            assertThat(ProcessHandle.of(pids.getFirst()).map(ProcessHandle::isAlive).orElse(false)).as("gone means gone").isFalse();
        }

        /** A caller that cannot take the worker on gets its failure back, the worker killed. */
        @Test
        void shouldKillTheWorkerWhenTheCallerRefusesIt() throws Exception {
            List<Long> told = new CopyOnWriteArrayList<>();
            WorkerRequest request = request(sh("exec sleep 60"), ReadinessProbe.line("never"));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> launcher.start(request, (pid, end) -> {
                told.add(pid);
                throw new IllegalStateException("lease on a is closed");
            })).hasMessage("lease on a is closed");

            await().until(() -> ProcessHandle.of(told.getFirst()).map(h -> !h.isAlive()).orElse(true));
        }
    }

    /** Collects the first line, a pid the worker printed. */
    static Consumer<String> pidFrom(List<Long> pids) {
        return line -> {
            if (pids.isEmpty() && line.matches("\\d+")) {
                pids.add(Long.parseLong(line));
            }
        };
    }
}
