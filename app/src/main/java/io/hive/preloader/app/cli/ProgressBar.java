package io.hive.preloader.app.cli;

import io.hive.preloader.core.port.LoadProgress;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr for a load that takes longer than a moment: nothing is drawn during the first
 * {@value #QUIET_MILLIS} ms, then the line is redrawn at most every {@value #REDRAW_MILLIS} ms, and erased when the
 * load ends. Called from the loading thread; drawing is cheap and rare.
 */
final class ProgressBar implements LoadProgress {
    private static final long QUIET_MILLIS = 300;
    private static final long REDRAW_MILLIS = 100;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private boolean drawn;

    /** @param enabled false draws nothing: stderr is not a terminal, or the user asked for no progress */
    ProgressBar(PrintWriter err, String label, boolean enabled) {
        this.err = err;
        this.label = label;
        this.enabled = enabled;
    }

    /** Whether the process talks to a person: stdin and stdout are a terminal (Java cannot ask about stderr alone). */
    static boolean interactive() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal() && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public synchronized void advanced(long done, long total) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - startNanos < QUIET_MILLIS * 1_000_000 || now - lastDrawNanos < REDRAW_MILLIS * 1_000_000 || total <= 0) {
            return;
        }
        lastDrawNanos = now;
        drawn = true;
        double share = Math.min(1.0, done / (double) total);
        int filled = (int) (share * WIDTH);
        double seconds = (now - startNanos) / 1e9;
        err.print(String.format(Locale.ROOT, "\r%s [%s%s] %5.1f%% %s / %s %.2f GB/s ", label, "#".repeat(filled),
                "-".repeat(WIDTH - filled), share * 100, Units.bytes(done), Units.bytes(total), done / seconds / 1e9));
        err.flush();
    }

    /** Erases the bar, if one was drawn, so the next line starts clean. */
    synchronized void finish() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }
}
