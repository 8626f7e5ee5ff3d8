package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.service.StoreFaultContract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

class MmapFaultTest extends StoreFaultContract {
    @Override
    protected RamStore newStore() {
        return new MmapRamStore();
    }

    /** Bytes of this process's mappings of the model file, from /proc/self/maps. */
    @Override
    protected long heldBytes(Path modelFile) {
        try {
            String name = modelFile.toRealPath().toString();
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(line -> line.endsWith(" " + name) || line.endsWith(" " + name + " (deleted)"))
                    .mapToLong(line -> {
                        String[] range = line.substring(0, line.indexOf(' ')).split("-");
                        return Long.parseUnsignedLong(range[1], 16) - Long.parseUnsignedLong(range[0], 16);
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
