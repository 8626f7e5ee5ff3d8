package io.hive.preloader.core.port;

import java.util.List;

/**
 * Waits for threads that read or write memory the caller frees as soon as they end: an interrupt meanwhile cannot cut
 * the wait short (the memory would go while they still touch it), so it is kept for the caller instead. Guava's
 * {@code Uninterruptibles.joinUninterruptibly}, for core and the stores, which use no Guava.
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** Returns once every thread has ended, with this thread's interrupt status set if it was interrupted meanwhile. */
    public static void join(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (true) {
                try {
                    thread.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
