package io.hive.preloader.adapters.hugepages;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file systems the hugepages tests need, set up once per test run and undone at its end: a hugetlbfs mount with
 * a few huge pages reserved for it, and a tmpfs mounted with {@code huge=advise} so that transparent huge pages are
 * really granted. Both need root and a kernel that allows them; where either is missing, the tests that need it are
 * skipped with the reason, and the tests of plain {@code /dev/shm} still run.
 */
final class TestMounts implements BeforeAllCallback {
    /** Huge pages of 2 MiB the hugetlbfs tests may take: the contract suite holds at most a few models of 9 MiB. */
    static final int HUGE_PAGES = 32;
    private static final Path HUGETLBFS = Path.of("/tmp/preloader-test-hugetlbfs");
    private static final Path THP_TMPFS = Path.of("/tmp/preloader-test-thp-tmpfs");
    private static final Path SMALL_TMPFS = Path.of("/tmp/preloader-test-small-tmpfs");
    /** The size of the small tmpfs, for the tests of a tmpfs too full for a model. */
    static final long SMALL_TMPFS_BYTES = 4L << 20;
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final Path FREE_HUGEPAGES = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");

    private static Setup setup;

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (TestMounts.class) {
            if (setup == null) {
                setup = new Setup();
                // Closed when the whole test run ends: unmounts and gives the huge pages back.
                context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put(TestMounts.class, setup);
            }
        }
    }

    /** The hugetlbfs mount, or empty with {@link #hugetlbfsUnavailable()} saying why. */
    static Optional<Path> hugetlbfs() {
        return setup.hugetlbfs;
    }

    static String hugetlbfsUnavailable() {
        return setup.hugetlbfsWhy;
    }

    /** The tmpfs mounted with huge=advise, or empty with {@link #thpUnavailable()} saying why. */
    static Optional<Path> thpTmpfs() {
        return setup.thp;
    }

    static String thpUnavailable() {
        return setup.thpWhy;
    }

    /** A tmpfs of {@link #SMALL_TMPFS_BYTES}, or empty with {@link #smallTmpfsUnavailable()} saying why. */
    static Optional<Path> smallTmpfs() {
        return setup.small;
    }

    static String smallTmpfsUnavailable() {
        return setup.smallWhy;
    }

    /** Free 2 MiB huge pages in the kernel's pool now. */
    static long freeHugePages() {
        return Long.parseLong(read(FREE_HUGEPAGES).strip());
    }

    private static final class Setup implements AutoCloseable {
        Optional<Path> hugetlbfs = Optional.empty();
        String hugetlbfsWhy = "";
        Optional<Path> thp = Optional.empty();
        String thpWhy = "";
        Optional<Path> small = Optional.empty();
        String smallWhy = "";
        private final List<Path> mounted = new ArrayList<>();
        private long originalPages = -1;

        Setup() {
            if (!isRoot()) {
                hugetlbfsWhy = "not root: reserving huge pages (vm.nr_hugepages) and mounting hugetlbfs need root";
                thpWhy = "not root: mounting a tmpfs with huge=advise needs root";
                smallWhy = "not root: mounting a small tmpfs needs root";
                return;
            }
            try {
                hugetlbfs = Optional.of(mountHugetlbfs());
            } catch (Unavailable e) {
                hugetlbfsWhy = e.getMessage();
            }
            try {
                thp = Optional.of(mountThpTmpfs());
            } catch (Unavailable e) {
                thpWhy = e.getMessage();
            }
            try {
                small = Optional.of(mount(SMALL_TMPFS, "tmpfs", "size=" + SMALL_TMPFS_BYTES / 1024 + "k"));
            } catch (Unavailable e) {
                smallWhy = e.getMessage();
            }
        }

        private Path mountHugetlbfs() {
            if (!Files.exists(FREE_HUGEPAGES)) {
                throw new Unavailable("this kernel has no 2 MiB huge pages (" + FREE_HUGEPAGES + " is missing)");
            }
            long free = freeHugePages();
            if (free < HUGE_PAGES) {
                long total = Long.parseLong(read(NR_HUGEPAGES).strip());
                originalPages = total;
                try {
                    Files.writeString(NR_HUGEPAGES, Long.toString(total + HUGE_PAGES - free));
                } catch (IOException e) {
                    originalPages = -1;
                    throw new Unavailable("the kernel refused to reserve huge pages in " + NR_HUGEPAGES + ": " + e.getMessage());
                }
                if (freeHugePages() < HUGE_PAGES) {
                    throw new Unavailable("the kernel reserved only " + freeHugePages() + " free huge pages of the "
                            + HUGE_PAGES + " asked (memory too fragmented?)");
                }
            }
            return mount(HUGETLBFS, "hugetlbfs", "pagesize=2M");
        }

        private Path mountThpTmpfs() {
            return mount(THP_TMPFS, "tmpfs", "huge=advise,size=512m");
        }

        private Path mount(Path dir, String type, String options) {
            try {
                Files.createDirectories(dir);
                if (!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + dir + " ")) {
                    run("mount", "-t", type, "-o", options, "none", dir.toString());
                    mounted.add(dir);
                }
                return dir;
            } catch (IOException e) {
                throw new Unavailable("cannot mount " + type + " at " + dir + ": " + e.getMessage());
            }
        }

        @Override
        public void close() {
            for (Path dir : mounted) {
                try {
                    run("umount", dir.toString());
                } catch (Unavailable e) {
                    System.err.println("hugepages tests: " + e.getMessage());
                }
            }
            if (originalPages >= 0) {
                try {
                    Files.writeString(NR_HUGEPAGES, Long.toString(originalPages));
                } catch (IOException e) {
                    System.err.println("hugepages tests: cannot give the huge pages back: " + e.getMessage());
                }
            }
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (process.waitFor() != 0) {
                throw new Unavailable(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new Unavailable(String.join(" ", command) + " cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(String.join(" ", command) + " was interrupted");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why a file system the tests would like cannot be had here. */
    private static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }
}
