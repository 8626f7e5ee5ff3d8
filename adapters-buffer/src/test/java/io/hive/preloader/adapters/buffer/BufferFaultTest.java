package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

class BufferFaultTest extends StoreFaultContract {
    @Override
    protected RamStore newStore() {
        return new BufferRamStore();
    }

    @Override
    protected long heldBytesNoise() {
        return 1 << 20;
    }

    /** Anonymous memory of this process: a private copy's pages live there, and go when it is unmapped. */
    @Override
    protected long heldBytes(Path modelFile) {
        try {
            return Files.readAllLines(Path.of("/proc/self/smaps_rollup")).stream()
                    .filter(line -> line.startsWith("Anonymous:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")) * 1024)
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
