package io.hive.preloader.core.port;

import java.util.List;

/** How a worker's start ended: ready, or why not, with the last lines it printed. */
public sealed interface WorkerStart {

    /** The probe fired: the worker is running (or, with {@link ReadinessProbe.Exit}, has run to a clean end). */
    record Ready(RunningWorker worker) implements WorkerStart {
    }

    /** The worker exited before it was ready. */
    record Exited(long pid, int exitCode, List<String> lastLines) implements WorkerStart {
        public Exited {
            lastLines = List.copyOf(lastLines);
        }
    }

    /** The worker was not ready in time; the launcher stopped it. */
    record TimedOut(long pid, List<String> lastLines) implements WorkerStart {
        public TimedOut {
            lastLines = List.copyOf(lastLines);
        }
    }

    /** No process was started: the program was not found or not executable, or the probe's port was taken. */
    record NotStarted(String reason) implements WorkerStart {
    }
}
