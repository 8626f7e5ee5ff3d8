package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.StatFs;

import java.util.OptionalLong;

/**
 * Checks that a model fits in the memory behind the shared files before a byte is written, so that a request too
 * large for the huge page pool or the tmpfs gets a clear {@link StoreException}. On hugetlbfs the mapping itself then
 * reserves the pages (a shared hugetlbfs mapping fails with ENOMEM rather than fault later), which closes the race
 * between this check and a concurrent load.
 */
final class Pool implements RoomCheck {
    private final Placement placement;
    private final Kernel kernel;

    Pool(Placement placement, Kernel kernel) {
        this.placement = placement;
        this.kernel = kernel;
    }

    /** The sysfs folder of the pool of huge pages of {@code pageSize}, ending with a slash. */
    static String sysfs(long pageSize) {
        return "/sys/kernel/mm/hugepages/hugepages-" + pageSize / 1024 + "kB/";
    }

    @Override
    public void ensureRoom(ModelDescriptor model, long reserved) {
        if (reserved == 0) {
            return;
        }
        StatFs fs = Libc.statfs(placement.directory());
        if (placement.mode() == Mode.HUGETLBFS) {
            long page = placement.pageSize();
            long needed = reserved / page;
            OptionalLong free = kernel.availableHugePages(page);
            long available = free.orElse(Long.MAX_VALUE);
            if (fs.limited()) {
                available = Math.min(available, fs.freeBlocks());
            }
            if (needed > available) {
                throw new StoreException("cannot load " + model.id() + " (" + ByteSize.format(model.size()) + ") into hugetlbfs at "
                        + placement.directory() + ": it needs " + needed + " huge pages of " + ByteSize.format(page) + " and only "
                        + available + " are free" + (fs.limited() ? " (the mount's size= limit included)" : "")
                        + "; reserve more in " + sysfs(page) + "nr_hugepages, or lower the budget");
            }
        } else if (fs.limited() && fs.freeBlocks() * fs.blockSize() < reserved) {
            throw new StoreException("cannot load " + model.id() + " (" + ByteSize.format(model.size()) + ") into "
                    + placement.directory() + ": it needs " + ByteSize.format(reserved) + " and the file system has only "
                    + ByteSize.format(fs.freeBlocks() * fs.blockSize()) + " free; free some or lower the budget");
        }
    }
}
