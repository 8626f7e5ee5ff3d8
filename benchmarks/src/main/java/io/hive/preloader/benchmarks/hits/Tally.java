package io.hive.preloader.benchmarks.hits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every hit's time, reduced to what JMH's sampling cannot give: how many took longer than 5 ms, and the longest.
 * Striped counters, no allocation per hit. JMH runs each trial in a forked JVM, so the tally is written to the
 * directory {@code hits.out} names, one line per measurement iteration, for {@link HitsRun} to read.
 */
final class Tally {
    /** 5 ms, the line a hit should never cross. */
    static final long SLOW_NANOS = 5_000_000;

    private static final LongAdder hits = new LongAdder();
    private static final LongAdder slow = new LongAdder();
    private static final LongAccumulator max = new LongAccumulator(Math::max, 0);

    private Tally() {
    }

    static void reset() {
        hits.reset();
        slow.reset();
        max.reset();
    }

    static void record(long nanos) {
        hits.increment();
        if (nanos > SLOW_NANOS) {
            slow.increment();
        }
        max.accumulate(nanos);
    }

    /** Appends {@code label TAB hits TAB over5ms TAB maxNanos TAB releases} to the trial file. */
    static void write(String label, long releases) {
        String out = System.getProperty("hits.out");
        if (out == null) {
            return;
        }
        String line = String.format(Locale.ROOT, "%s\t%d\t%d\t%d\t%d%n", label, hits.sum(), slow.sum(), max.get(), releases);
        try {
            Files.writeString(Path.of(out).resolve("tally.tsv"), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
