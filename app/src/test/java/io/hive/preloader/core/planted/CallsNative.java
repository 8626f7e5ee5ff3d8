package io.hive.preloader.core.planted;

import java.lang.foreign.Linker;

/** A planted violation: core making a native call. */
public class CallsNative {
    public Object linker() {
        return Linker.nativeLinker();
    }
}
