package io.hive.preloader.adapters.planteda;

import io.hive.preloader.linux.planted.LibraryCall;

/** Not a violation: an adapter calling the native library, which is no adapter. */
public class UsesTheNativeLibrary {
    public int call() {
        return LibraryCall.pageSize();
    }
}
