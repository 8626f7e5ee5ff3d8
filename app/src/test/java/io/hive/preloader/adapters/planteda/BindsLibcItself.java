package io.hive.preloader.adapters.planteda;

import java.lang.foreign.Linker;

/** A planted violation: a store binding libc itself instead of through native-linux. */
public class BindsLibcItself {
    public Object madvise() {
        return Linker.nativeLinker().defaultLookup().find("madvise");
    }
}
