package io.hive.preloader.adapters.planteda;

import net.openhft.chronicle.bytes.MappedFile;

import java.io.File;
import java.io.IOException;

/** A planted violation: an adapter other than hugepages mapping a file with Chronicle Bytes. */
public class MapsWithChronicle {
    public MappedFile map(File file) throws IOException {
        return MappedFile.of(file, 1 << 20, 0, false);
    }
}
