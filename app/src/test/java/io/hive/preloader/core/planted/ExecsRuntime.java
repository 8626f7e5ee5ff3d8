package io.hive.preloader.core.planted;

import java.io.IOException;

/** A planted violation: core starting a process through the runtime. */
public class ExecsRuntime {
    public Process exec() throws IOException {
        return Runtime.getRuntime().exec(new String[] {"true"});
    }
}
