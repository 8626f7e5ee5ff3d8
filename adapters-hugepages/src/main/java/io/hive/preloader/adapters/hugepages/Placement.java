package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.StatFs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Where a {@link HugePageRamStore} puts its shared files and which pages back them, decided once when the store is
 * made: a hugetlbfs mount when one is configured, mounted, writable and has a pool of huge pages; else the fallback
 * folder, with transparent huge pages when it is tmpfs and the kernel lets tmpfs use them; else plain pages.
 *
 * @param mode      the pages the files get
 * @param directory the folder that holds the shared files
 * @param pageSize  the size a file is rounded up to: the huge page size on hugetlbfs, the base page size elsewhere
 * @param tmpfs     whether {@code directory} is on tmpfs, where each mapping asks for huge pages with
 *                  {@code madvise(MADV_HUGEPAGE)} whatever the mode
 * @param reason    why this mode, in words for the log
 */
public record Placement(Mode mode, Path directory, long pageSize, boolean tmpfs, String reason) {

    /**
     * The choice for this machine, from {@code statfs} and the kernel's settings.
     *
     * @throws IllegalArgumentException when the fallback folder is not a writable directory
     */
    public static Placement choose(Optional<Path> hugetlbfs, Path fallback) {
        return choose(hugetlbfs, fallback, Kernel.LIVE, Libc::statfs, Libc.pageSize());
    }

    static Placement choose(Optional<Path> hugetlbfs, Path fallback, Kernel kernel,
                            Function<Path, StatFs> statfs, long basePage) {
        String refused = "";
        if (hugetlbfs.isPresent()) {
            Path mount = hugetlbfs.get().toAbsolutePath().normalize();
            Optional<String> why = hugetlbfsRefusal(mount, kernel, statfs);
            if (why.isEmpty()) {
                long page = statfs.apply(mount).blockSize();
                OptionalLong pool = kernel.poolHugePages(page);
                return new Placement(Mode.HUGETLBFS, mount, page, false, "hugetlbfs at " + mount + ", pages of " + ByteSize.format(page)
                        + pool.stream().mapToObj(n -> ", " + n + " in the pool").findFirst().orElse(""));
            }
            refused = why.get() + "; ";
        }
        Path dir = fallback.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("hugepages fallback folder " + dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("hugepages fallback folder " + dir + " is not writable by this user");
        }
        StatFs fs = statfs.apply(dir);
        if (!fs.isTmpfs()) {
            return new Placement(Mode.PLAIN_PAGES, dir, basePage, false, refused + dir
                    + " is not tmpfs: its files are page cache of a disk file system, in base pages");
        }
        Optional<String> shmem = kernel.shmemEnabled();
        String huge = switch (shmem.orElse("")) {
            case "force" -> "always";
            case "deny" -> "never";
            default -> kernel.tmpfsHugeOption(dir);
        };
        String setting = "tmpfs at " + dir + " has huge=" + huge + shmem.map(s -> " (shmem_enabled=" + s + ")").orElse("");
        return switch (huge) {
            case "always", "within_size", "advise" -> new Placement(Mode.TRANSPARENT_HUGE_PAGES, dir, basePage, true,
                    refused + setting + ": mappings ask for transparent huge pages with madvise(MADV_HUGEPAGE)");
            default -> new Placement(Mode.PLAIN_PAGES, dir, basePage, true, refused + setting
                    + ": madvise(MADV_HUGEPAGE) is asked but the kernel gives tmpfs files base pages only"
                    + " (mount it with -o huge=advise to get transparent huge pages)");
        };
    }

    private static Optional<String> hugetlbfsRefusal(Path mount, Kernel kernel, Function<Path, StatFs> statfs) {
        if (!Files.isDirectory(mount)) {
            return Optional.of("no hugetlbfs at " + mount + " (no such directory)");
        }
        StatFs fs = statfs.apply(mount);
        if (!fs.isHugetlbfs()) {
            return Optional.of(mount + " is not a hugetlbfs mount (mount it with: mount -t hugetlbfs none " + mount + ")");
        }
        if (!Files.isWritable(mount)) {
            return Optional.of("the hugetlbfs mount " + mount + " is not writable by this user");
        }
        OptionalLong pool = kernel.poolHugePages(fs.blockSize());
        if (pool.isPresent() && pool.getAsLong() == 0) {
            return Optional.of("hugetlbfs at " + mount + " has no huge pages of " + ByteSize.format(fs.blockSize())
                    + " in the pool (" + Pool.sysfs(fs.blockSize()) + "nr_hugepages is 0)");
        }
        return Optional.empty();
    }

    /** {@code hugetlbfs}, {@code thp} or {@code plain}. */
    public String label() {
        return mode.label();
    }

    /** {@code size} rounded up to whole pages: what a model of that size takes from RAM here. */
    public long roundUp(long size) {
        return (size + pageSize - 1) / pageSize * pageSize;
    }
}
