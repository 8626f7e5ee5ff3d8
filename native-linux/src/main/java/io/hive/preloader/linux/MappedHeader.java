package io.hive.preloader.linux;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.HeaderBytes;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A model file's first bytes, for its header check ({@link io.hive.preloader.core.port.ModelSource#header}): the file
 * is opened once, its fingerprint compared with the version described through that descriptor (so a file renamed
 * over the path meanwhile is never taken for it), then mapped read-only whole, of which only the pages the check
 * reads are ever touched: a 40 GB model costs its header's pages. Unmapped and closed by {@link #close}.
 */
public final class MappedHeader implements HeaderBytes {
    private final int fd;
    private final ModelDescriptor model;
    private final Arena arena = Arena.ofShared();
    private MemorySegment mapping;

    private MappedHeader(int fd, ModelDescriptor model) {
        this.fd = fd;
        this.model = model;
    }

    /**
     * @throws ModelChangedException when the file at the path is no longer the version described
     * @throws StoreException        naming the file when it cannot be opened
     */
    public static MappedHeader open(ModelDescriptor model) {
        int fd = Libc.open(model.path(), Libc.O_RDONLY);
        MappedHeader header = new MappedHeader(fd, model);
        try {
            ModelChangedException.requireSame(model, header.fingerprint());
            return header;
        } catch (RuntimeException | Error e) {
            header.close();
            throw e;
        }
    }

    /** A path Java can open to reach this very inode, since FileChannel does not take a descriptor. */
    private Path sameInode() {
        return Path.of("/proc/self/fd/" + fd);
    }

    private Fingerprint fingerprint() {
        try {
            return Fingerprint.of(Files.readAttributes(sameInode(), Fingerprint.UNIX_ATTRIBUTES));
        } catch (IOException e) {
            throw new StoreException("cannot stat " + model.path() + ": " + e.getMessage(), e);
        }
    }

    /** The whole file, mapped on the first call: at least {@code length} bytes, or all there are. */
    @Override
    public synchronized MemorySegment first(long length) {
        if (mapping == null) {
            try (FileChannel channel = FileChannel.open(sameInode(), StandardOpenOption.READ)) {
                long size = channel.size();
                if (size < model.size()) {
                    // Cut in place since it was opened: read short, a valid version would be refused as cut off.
                    throw new ModelChangedException(model.path() + " shrank to " + size + " bytes from " + model.size()
                            + " while its header was read");
                }
                mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
            } catch (IOException e) {
                throw new StoreException("cannot map " + model.path() + ": " + e.getMessage(), e);
            }
        }
        return mapping;
    }

    @Override
    public synchronized void close() {
        try {
            arena.close();
        } finally {
            Libc.close(fd, model.path());
        }
    }
}
