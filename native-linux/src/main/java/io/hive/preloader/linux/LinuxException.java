package io.hive.preloader.linux;

import io.hive.preloader.core.port.StoreException;

/**
 * A system call that failed: {@code madvise(MADV_WILLNEED) of /models/m.gguf failed: EINVAL (22)}. It is a
 * {@link StoreException}, the failure a store reports, so a store lets it through as it is.
 */
public final class LinuxException extends StoreException {
    private final String call;
    private final int errno;

    LinuxException(String call, Object what, int errno) {
        super(call + " of " + what + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call as the message names it, with its flag when it has one: {@code madvise(MADV_HUGEPAGE)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
