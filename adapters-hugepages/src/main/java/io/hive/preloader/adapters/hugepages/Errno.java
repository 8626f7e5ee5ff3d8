package io.hive.preloader.adapters.hugepages;

/**
 * The errno values the calls in {@link Libc} can fail with, so that a message says {@code ENOMEM (12)} rather
 * than a bare number. The numbers are the asm-generic ones shared by x86-64 and aarch64 Linux.
 */
enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16),
    ENODEV(19), ENOTDIR(20), EINVAL(22), ENOSPC(28), ENAMETOOLONG(36), ENOSYS(38), ELOOP(40), EOVERFLOW(75);

    final int number;

    Errno(int number) {
        this.number = number;
    }

    /** {@code ENOMEM (12)}, or {@code errno 123} for a number this table does not name. */
    static String describe(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e.name() + " (" + number + ")";
            }
        }
        return "errno " + number;
    }
}
