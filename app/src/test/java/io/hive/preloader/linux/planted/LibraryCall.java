package io.hive.preloader.linux.planted;

/** A call of the native library, as a store makes one. */
public final class LibraryCall {
    private LibraryCall() {
    }

    public static int pageSize() {
        return 4096;
    }
}
