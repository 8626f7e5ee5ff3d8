package io.hive.preloader.core.port;

import java.nio.file.Path;

/** How a worker process can reach a resident model's bytes without reading the model from disk again. */
public sealed interface Handoff {

    /** The model file itself, its pages resident in the page cache: the worker maps or reads the same path. */
    record PageCacheFile(Path file) implements Handoff {
    }

    /** A shared-memory file (tmpfs or hugetlbfs) holding the bytes: the worker maps this path. */
    record SharedFile(Path file) implements Handoff {
    }

    /** Memory private to this process: a worker gets the bytes only through a transfer. */
    record PrivateMemory() implements Handoff {
    }
}
