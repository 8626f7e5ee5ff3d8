package io.hive.preloader.adapters.process;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines a worker printed: a bounded queue, safe to read while the reading thread adds to it. */
final class OutputTail {
    private final int capacity;
    private final ArrayDeque<String> lines;

    OutputTail(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a tail keeps at least one line, got " + capacity);
        }
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(capacity);
    }

    synchronized void add(String line) {
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /** Oldest first. */
    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
