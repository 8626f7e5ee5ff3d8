package io.hive.preloader.adapters.process;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A worker's process and every process it started, followed until all are gone: a wrapper (a shell script, a
 * launcher) that starts the real worker and exits must not end the worker's hold on its model. The JDK sees only
 * the direct child's exit, and a process whose parent exited is re-parented away from it, so the tree is sampled
 * ({@link ProcessHandle#descendants}, one read of {@code /proc}) every {@value #STARTING_MILLIS} ms while it starts,
 * when wrappers fork, then every {@value #RUNNING_MILLIS} ms, and each process seen is followed by its handle (its
 * start time guards against a reused pid). A process that both starts and loses its parent between two samples (a
 * double fork to daemonize within {@value #STARTING_MILLIS} ms) is not seen.
 */
final class ProcessTree {
    static final long STARTING_MILLIS = 20;
    static final long RUNNING_MILLIS = 1_000;
    private static final long STARTING_FOR_MILLIS = 10_000;
    /** One daemon thread samples every worker's tree; a sample is a few reads of {@code /proc}, never a wait. */
    private static final ScheduledExecutorService SAMPLER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("worker-process-tree").daemon().factory());

    private final Process root;
    private final long startedNanos = System.nanoTime();
    private final Set<ProcessHandle> members = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Integer> gone = new CompletableFuture<>();

    private ProcessTree(Process root) {
        this.root = root;
    }

    /** Follows the process from now on. */
    static ProcessTree follow(Process root) {
        ProcessTree tree = new ProcessTree(root);
        tree.sample(true);
        // Its exit is seen at once; the processes it leaves behind are followed by the samples.
        root.onExit().thenRun(() -> tree.sample(false));
        return tree;
    }

    /** Completes with the worker's exit status once it and every process of its tree seen alive have exited. */
    CompletableFuture<Integer> gone() {
        return gone;
    }

    /** The worker's descendants alive now, those seen before whose parent has gone included; children first. */
    List<ProcessHandle> descendants() {
        return Stream.concat(root.descendants(), members.stream()).distinct().filter(ProcessHandle::isAlive).toList();
    }

    /** One look at the tree; {@code next}: then schedules the next look, unless the tree is gone. */
    private void sample(boolean next) {
        if (gone.isDone()) {
            return;
        }
        try {
            if (root.isAlive()) {
                root.descendants().forEach(members::add);
            }
            for (ProcessHandle member : List.copyOf(members)) {
                if (member.isAlive()) {
                    member.descendants().forEach(members::add);
                } else {
                    members.remove(member);
                }
            }
            if (!root.isAlive() && members.isEmpty()) {
                gone.complete(root.exitValue());
                return;
            }
        } catch (RuntimeException e) {
            // /proc unreadable for a moment: look again at the next sample
        }
        if (!next) {
            return;
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        SAMPLER.schedule(() -> sample(true), elapsedMillis < STARTING_FOR_MILLIS ? STARTING_MILLIS : RUNNING_MILLIS, TimeUnit.MILLISECONDS);
    }
}
