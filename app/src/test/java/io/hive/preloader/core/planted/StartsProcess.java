package io.hive.preloader.core.planted;

import java.io.IOException;

/** A planted violation: core starting a process. */
public class StartsProcess {
    public Process start() throws IOException {
        return new ProcessBuilder("true").start();
    }
}
