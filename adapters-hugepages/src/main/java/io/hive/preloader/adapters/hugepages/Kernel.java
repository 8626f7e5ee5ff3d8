package io.hive.preloader.adapters.hugepages;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The kernel settings that decide which pages a shared file gets, read from {@code /sys} and {@code /proc}. The root
 * is a parameter so that a test can stand a folder of fake files in for {@code /}.
 */
final class Kernel {
    static final Kernel LIVE = new Kernel(Path.of("/"));

    private final Path root;

    Kernel(Path root) {
        this.root = root;
    }

    /** The bracketed choice of {@code /sys/kernel/mm/transparent_hugepage/shmem_enabled}, e.g. {@code never}. */
    Optional<String> shmemEnabled() {
        return read("sys/kernel/mm/transparent_hugepage/shmem_enabled").flatMap(Kernel::bracketed);
    }

    /**
     * The {@code huge=} option of the tmpfs mount holding {@code dir}, from {@code /proc/self/mountinfo}: the mount
     * with the longest mount point that contains {@code dir}. {@code never} when the option is absent (the default).
     */
    String tmpfsHugeOption(Path dir) {
        List<String> lines = read("proc/self/mountinfo").map(text -> text.lines().toList()).orElse(List.of());
        String best = null;
        int bestLength = -1;
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : lines) {
            // 36 35 0:33 / /dev/shm rw,nosuid,nodev shared:6 - tmpfs tmpfs rw,size=1024k,huge=advise
            String[] parts = line.split(" ");
            int dash = List.of(parts).indexOf("-");
            if (parts.length < 5 || dash < 0 || dash + 3 >= parts.length) {
                continue;
            }
            String mountPoint = unescape(parts[4]);
            boolean contains = target.equals(mountPoint) || mountPoint.equals("/") || target.startsWith(mountPoint + "/");
            if (contains && mountPoint.length() >= bestLength) {
                bestLength = mountPoint.length();
                best = parts[dash + 3];
            }
        }
        if (best != null) {
            for (String option : best.split(",")) {
                if (option.startsWith("huge=")) {
                    return option.substring("huge=".length());
                }
            }
        }
        return "never";
    }

    /** The huge pages of {@code pageSize} in the pool that no mapping has taken or reserved yet. */
    OptionalLong availableHugePages(long pageSize) {
        String dir = "sys/kernel/mm/hugepages/hugepages-" + pageSize / 1024 + "kB/";
        OptionalLong free = number(dir + "free_hugepages");
        OptionalLong reserved = number(dir + "resv_hugepages");
        if (free.isEmpty() || reserved.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(0, free.getAsLong() - reserved.getAsLong()));
    }

    /** How many huge pages of {@code pageSize} the pool holds ({@code vm.nr_hugepages} for the default size). */
    OptionalLong poolHugePages(long pageSize) {
        return number("sys/kernel/mm/hugepages/hugepages-" + pageSize / 1024 + "kB/nr_hugepages");
    }

    private OptionalLong number(String file) {
        return read(file).map(String::strip).map(s -> {
            try {
                return OptionalLong.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
    }

    private Optional<String> read(String file) {
        try {
            return Optional.of(Files.readString(root.resolve(file)));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> bracketed(String text) {
        int open = text.indexOf('[');
        int close = text.indexOf(']', open + 1);
        return open < 0 || close < 0 ? Optional.empty() : Optional.of(text.substring(open + 1, close));
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                String octal = field.substring(i + 1, i + 4);
                if (octal.chars().allMatch(d -> d >= '0' && d <= '7')) {
                    out.append((char) Integer.parseInt(octal, 8));
                    i += 3;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
