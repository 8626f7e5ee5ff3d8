package io.hive.preloader.adapters.hugepages;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * How much of a mapping the kernel backs with huge pages, from {@code /proc/self/smaps}: the ground truth behind a
 * {@link Mode}, since a request for transparent huge pages may be granted in part or not at all.
 */
final class Smaps {
    private static final Path SMAPS = Path.of("/proc/self/smaps");
    /** {@code 7f3a52e00000-7f3a53000000 rw-s 00000000 00:1a 42  /dev/shm/x}: a mapping's first line. */
    private static final Pattern HEADER = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    private Smaps() {
    }

    /**
     * Bytes of the mapping that starts at {@code address} that are mapped with huge pages: hugetlbfs pages
     * ({@code Shared_Hugetlb}, {@code Private_Hugetlb}) plus transparent ones ({@code ShmemPmdMapped},
     * {@code FilePmdMapped}, {@code AnonHugePages}). Zero when no mapping starts there.
     */
    static long hugePageBytes(long address) {
        String header = Long.toHexString(address) + "-";
        try (BufferedReader reader = Files.newBufferedReader(SMAPS)) {
            boolean inside = false;
            long kib = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (HEADER.matcher(line).lookingAt()) {
                    if (inside) {
                        break;
                    }
                    inside = line.startsWith(header);
                    continue;
                }
                if (inside) {
                    kib += field(line, "Shared_Hugetlb:") + field(line, "Private_Hugetlb:") + field(line, "ShmemPmdMapped:")
                            + field(line, "FilePmdMapped:") + field(line, "AnonHugePages:");
                }
            }
            return kib * 1024;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SMAPS, e);
        }
    }

    private static long field(String line, String name) {
        if (!line.startsWith(name)) {
            return 0;
        }
        String value = line.substring(name.length()).strip();
        int space = value.indexOf(' ');
        return Long.parseLong(space < 0 ? value : value.substring(0, space));
    }
}
