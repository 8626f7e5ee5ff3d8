package io.hive.preloader.core.port;

import java.util.Collection;

/**
 * Steps of a cleanup that must all be tried (free this, unregister that, release the contexts): each runs even when
 * one before it failed, and the first failure is the one thrown, the later ones suppressed in it.
 */
public final class Cleanup {
    private Cleanup() {
    }

    /** Runs every step in order; throws the first failure, once all have run. */
    public static void runAll(Collection<? extends Runnable> steps) {
        RuntimeException failure = null;
        for (Runnable step : steps) {
            failure = attempt(step, failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Runs every step after {@code failure} (a load that failed freeing what it took), each one's own failure
     * suppressed in it: the caller throws {@code failure}, the first one, as it was.
     */
    public static void afterFailure(Throwable failure, Collection<? extends Runnable> steps) {
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    /** Runs {@code step}; returns the first failure so far ({@code failure}, or this step's), the later one suppressed in it. */
    public static RuntimeException attempt(Runnable step, RuntimeException failure) {
        try {
            step.run();
            return failure;
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
            return failure;
        }
    }
}
