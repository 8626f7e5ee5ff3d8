package io.hive.preloader.app.planted;

import java.lang.foreign.Linker;

/** A planted violation: an FFM downcall outside the adapters. */
public class LinksNative {
    public Object link() {
        return Linker.nativeLinker().defaultLookup().find("getpid");
    }
}
