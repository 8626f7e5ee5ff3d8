package io.hive.preloader.app.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/** A plain-text table: a header row, then rows; columns marked numeric are right-aligned. */
final class TextTable {
    private final String[] headers;
    private final boolean[] numeric;
    private final List<String[]> rows = new ArrayList<>();

    /** Headers ending in {@code >} name right-aligned columns (the marker is not printed). */
    TextTable(String... headers) {
        this.numeric = new boolean[headers.length];
        this.headers = IntStream.range(0, headers.length).mapToObj(i -> headers[i].replaceFirst(">$", "")).toArray(String[]::new);
        IntStream.range(0, headers.length).forEach(i -> numeric[i] = headers[i].endsWith(">"));
    }

    TextTable row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row of " + cells.length + " cells in a table of " + headers.length + " columns");
        }
        rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
        return this;
    }

    void print(PrintWriter out, String indent) {
        print(out, indent, true);
    }

    /** The rows alone, for a list of name and value. */
    void printRows(PrintWriter out, String indent) {
        print(out, indent, false);
    }

    private void print(PrintWriter out, String indent, boolean withHeaders) {
        List<String[]> lines = new ArrayList<>(rows);
        if (withHeaders) {
            lines.addFirst(headers);
        }
        int[] widths = IntStream.range(0, headers.length).map(i -> lines.stream().mapToInt(row -> row[i].length()).max().orElse(0)).toArray();
        for (String[] cells : lines) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < cells.length; i++) {
                String pad = " ".repeat(widths[i] - cells[i].length());
                line.append(i > 0 ? "  " : "").append(numeric[i] ? pad + cells[i] : cells[i] + pad);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
