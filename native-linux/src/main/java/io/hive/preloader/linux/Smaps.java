package io.hive.preloader.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's account of this process's mappings, from {@code /proc/self/smaps}: which pages back each, and how it
 * was advised. The ground truth behind a request for huge pages, which the kernel may grant in part or not at all.
 */
public final class Smaps {
    private static final Path SMAPS = Path.of("/proc/self/smaps");
    /** {@code 7f3a52e00000-7f3a53000000 rw-s 00000000 00:1a 42    /dev/shm/x}: a mapping's first line. */
    private static final Pattern HEADER = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) \\S+ \\S+ \\S+ \\S+ *(.*)");
    /** {@code AnonHugePages:      2048 kB}. */
    private static final Pattern SIZE = Pattern.compile("(\\w+): +(\\d+) kB");

    private Smaps() {
    }

    /**
     * One mapping.
     *
     * @param path  the file mapped, {@code [heap]} and the like, or empty for anonymous memory
     * @param bytes its {@code kB} lines, in bytes: {@code Rss}, {@code AnonHugePages}...
     * @param flags its {@code VmFlags}: {@code hg} for {@code MADV_HUGEPAGE}, {@code dd} for {@code MADV_DONTDUMP}...
     */
    public record Mapping(long start, long end, String path, Map<String, Long> bytes, Set<String> flags) {
        public long size() {
            return end - start;
        }

        public long field(String name) {
            return bytes.getOrDefault(name, 0L);
        }

        /**
         * Bytes mapped with huge pages: hugetlbfs pages ({@code Shared_Hugetlb}, {@code Private_Hugetlb}) plus
         * transparent ones ({@code ShmemPmdMapped}, {@code FilePmdMapped}, {@code AnonHugePages}).
         */
        public long hugePageBytes() {
            return field("Shared_Hugetlb") + field("Private_Hugetlb") + field("ShmemPmdMapped") + field("FilePmdMapped")
                    + field("AnonHugePages");
        }
    }

    /** Every mapping of this process now, in address order. */
    public static List<Mapping> mappings() {
        List<Mapping> mappings = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(SMAPS)) {
            Matcher header = null;
            Map<String, Long> bytes = new HashMap<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Matcher m = HEADER.matcher(line);
                if (m.matches()) {
                    header = m;
                    bytes = new HashMap<>();
                } else if (line.startsWith("VmFlags:") && header != null) {
                    mappings.add(new Mapping(Long.parseUnsignedLong(header.group(1), 16), Long.parseUnsignedLong(header.group(2), 16),
                            header.group(3), Map.copyOf(bytes), Set.of(line.substring("VmFlags:".length()).trim().split(" +"))));
                } else if ((m = SIZE.matcher(line)).matches()) {
                    bytes.put(m.group(1), Long.parseLong(m.group(2)) * 1024);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SMAPS, e);
        }
        return mappings;
    }

    /** The mapping that holds {@code address}, if any. */
    public static Optional<Mapping> holding(long address) {
        return mappings().stream()
                .filter(m -> Long.compareUnsigned(m.start(), address) <= 0 && Long.compareUnsigned(address, m.end()) < 0)
                .findFirst();
    }
}
