package io.hive.preloader.adapters.hugepages;

/** Which pages back a {@link HugePageRamStore}'s shared files, best first. */
public enum Mode {
    /** Files on a hugetlbfs mount: huge pages from the pool reserved with {@code vm.nr_hugepages}, never swapped. */
    HUGETLBFS("hugetlbfs"),
    /**
     * Files on tmpfs whose mount (or {@code shmem_enabled=force}) lets the kernel back them with transparent huge
     * pages; each mapping asks for them with {@code madvise(MADV_HUGEPAGE)}. The kernel may still fall back to small
     * pages when it finds no free huge page: {@code HugePageRamStore#hugePageBytes} says what a model really got.
     */
    TRANSPARENT_HUGE_PAGES("thp"),
    /** Files on tmpfs (or another file system) with 4 KiB pages: still shared with a worker, without the TLB gain. */
    PLAIN_PAGES("plain");

    private final String label;

    Mode(String label) {
        this.label = label;
    }

    /** The short name used in the store's name and in logs: {@code hugetlbfs}, {@code thp} or {@code plain}. */
    public String label() {
        return label;
    }
}
