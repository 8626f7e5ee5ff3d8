package io.hive.preloader.adapters.disruptor;

import io.hive.preloader.core.port.ChunkSource;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/** The model file a transfer reads straight from disk: opened for its readers' positional reads, closed after them. */
final class SourceFile {
    private SourceFile() {
    }

    static FileChannel open(ChunkSource.ModelFile f) {
        try {
            return FileChannel.open(f.path(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException("opening " + f.path() + " failed: " + e, e);
        }
    }

    /** Closes it, when there is one. */
    static void close(FileChannel file) {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // read-only: nothing written is lost
                System.getLogger(TransferRun.class.getName()).log(System.Logger.Level.DEBUG, "closing a model file after its transfer: " + e);
            }
        }
    }
}
