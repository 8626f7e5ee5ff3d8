package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.linux.Errno;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Why {@code mlock} refused a file, in words an operator can act on. The kernel answers ENOMEM or EPERM both for
 * a range over RLIMIT_MEMLOCK and for a limit of zero, so the message always states the limit in force.
 *
 * @param limit the soft RLIMIT_MEMLOCK in bytes, empty when unlimited
 */
record LockRefusal(Path file, long bytes, int errno, OptionalLong limit) {

    String message() {
        String head = "mlock of " + file + " (" + ByteSize.format(bytes) + ") failed: " + Errno.describe(errno);
        if (errno != Errno.ENOMEM.number() && errno != Errno.EPERM.number() && errno != Errno.EAGAIN.number()) {
            return head;
        }
        if (limit.isEmpty()) {
            return head + " — RLIMIT_MEMLOCK is unlimited, so the host could not lock that much RAM; free memory or drop the lock option";
        }
        return head + " — RLIMIT_MEMLOCK is " + ByteSize.format(limit.getAsLong())
                + "; raise it with ulimit -l (or LimitMEMLOCK= for a systemd service) or drop the lock option";
    }
}
