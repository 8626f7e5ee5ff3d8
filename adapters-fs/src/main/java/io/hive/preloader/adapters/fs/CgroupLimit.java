package io.hive.preloader.adapters.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The memory limit of this process's cgroup (v2): its line {@code 0::/PATH} in {@code /proc/self/cgroup} names the
 * cgroup under the cgroup file system, whose {@code memory.max} ({@code max} when unlimited) and
 * {@code memory.current} say how much more it may take. Every cgroup above it limits it too, so the least room
 * over the chain counts. Read afresh on every call. Where there is no cgroup v2 (v1 only, or no such files), there
 * is no limit to report.
 */
final class CgroupLimit {
    private static final String UNLIMITED = "max";

    private final Path procSelfCgroup;
    private final Path cgroupRoot;

    CgroupLimit(Path procSelfCgroup, Path cgroupRoot) {
        this.procSelfCgroup = procSelfCgroup;
        this.cgroupRoot = cgroupRoot;
    }

    /**
     * {@code memory.max − memory.current} of the tightest cgroup from this process's up to the root; empty when
     * none sets a limit. Never negative.
     *
     * @throws IllegalStateException naming the file when a limit file holds something that is not a number
     */
    OptionalLong room() {
        Path dir = ownCgroup();
        if (dir == null) {
            return OptionalLong.empty();
        }
        long least = Long.MAX_VALUE;
        for (Path d = dir; d != null && d.startsWith(cgroupRoot); d = d.getParent()) {
            String max = read(d.resolve("memory.max"));
            String current = read(d.resolve("memory.current"));
            if (max != null && current != null && !max.equals(UNLIMITED)) {
                least = Math.min(least, Math.max(0, number(d.resolve("memory.max"), max) - number(d.resolve("memory.current"), current)));
            }
        }
        return least == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(least);
    }

    private Path ownCgroup() {
        List<String> lines;
        try {
            lines = Files.readAllLines(procSelfCgroup);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            if (line.startsWith("0::/")) {
                Path dir = cgroupRoot.resolve(line.substring("0::/".length())).normalize();
                return dir.startsWith(cgroupRoot) ? dir : null;
            }
        }
        return null; // cgroup v1 only
    }

    /** The file's one value, or null when it does not exist here (the root cgroup has no memory.max). */
    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static long number(Path file, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " holds '" + text + "', not a number of bytes or 'max'");
        }
    }
}
