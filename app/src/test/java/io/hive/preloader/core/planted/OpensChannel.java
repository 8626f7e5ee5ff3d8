package io.hive.preloader.core.planted;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A planted violation: core opening a file channel. */
public class OpensChannel {
    public FileChannel open(Path p) throws IOException {
        return FileChannel.open(p);
    }
}
