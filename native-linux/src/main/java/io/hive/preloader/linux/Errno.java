package io.hive.preloader.linux;

/**
 * The errno values the calls in {@link Libc} can fail with, so that a message says {@code ENOMEM (12)} rather than a
 * bare number. The numbers are the asm-generic ones shared by x86-64 and aarch64 Linux.
 */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), ENXIO(6), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14),
    EBUSY(16), ENODEV(19), ENOTDIR(20), EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), EFBIG(27), ENOSPC(28),
    ESPIPE(29), EROFS(30), ENAMETOOLONG(36), ENOSYS(38), ELOOP(40), EOVERFLOW(75), EOPNOTSUPP(95), EHWPOISON(133);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** {@code ENOMEM (12)}, or {@code errno 123} for a number this table does not name. */
    public static String describe(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e.name() + " (" + number + ")";
            }
        }
        return "errno " + number;
    }
}
