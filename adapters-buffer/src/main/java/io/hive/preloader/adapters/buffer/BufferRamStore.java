package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a model resident as a private copy in native memory, read from the file in large chunks. With direct I/O
 * the reads bypass the page cache, so the model takes its size in RAM once rather than twice.
 *
 * <p>The copy's memory is fresh for every load. On virtual machines the first touch of fresh memory costs far
 * more than the read itself; see the design notes' measured facts.
 */
public final class BufferRamStore implements RamStore {
    private static final long PAGE = 4096;
    // A 2 MiB-aligned copy can be backed by transparent huge pages wherever the host enables them.
    private static final long HUGE_PAGE = 2L << 20;

    private final boolean directIo;

    /** A store that reads through the page cache. */
    public BufferRamStore() {
        this(false);
    }

    /** @param directIo read with O_DIRECT, bypassing the page cache; needs a filesystem that supports it */
    public BufferRamStore(boolean directIo) {
        this.directIo = directIo;
    }

    @Override
    public String name() {
        return "buffer";
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        Path path = model.path();
        try (FileChannel channel = open(path)) {
            long size = channel.size();
            if (size != model.size()) {
                throw new StoreException(path + " changed since it was looked up: it has " + size + " bytes, not " + model.size());
            }
            long block = directIo ? Math.max(Files.getFileStore(path).getBlockSize(), 1) : 1;
            long capacity = roundUp(size, block);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment memory = allocate(arena, capacity, Math.max(block, size >= HUGE_PAGE ? HUGE_PAGE : PAGE), path);
                ChunkedReader.read(channel, path, memory, size, capacity, progress);
                return new NativeRegion(arena, memory.asSlice(0, size));
            } catch (RuntimeException | Error failure) {
                arena.close();
                throw failure;
            }
        } catch (IOException e) {
            throw new StoreException("reading " + path + " failed: " + e.getMessage(), e);
        }
    }

    private FileChannel open(Path path) {
        try {
            return directIo
                    ? FileChannel.open(path, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)
                    : FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot open " + path + ": no such file", e);
        } catch (IOException e) {
            if (directIo && opensWithoutDirectIo(path)) {
                throw new StoreException("the filesystem holding " + path + " refuses O_DIRECT (" + e.getMessage()
                        + "); use the buffer store without direct I/O for this models folder", e);
            }
            throw new StoreException("cannot open " + path + ": " + e.getMessage(), e);
        }
    }

    private static boolean opensWithoutDirectIo(Path path) {
        try {
            FileChannel.open(path, StandardOpenOption.READ).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static MemorySegment allocate(Arena arena, long bytes, long alignment, Path path) {
        try {
            return arena.allocate(bytes, alignment);
        } catch (OutOfMemoryError e) {
            throw new StoreException("cannot allocate " + ByteSize.format(bytes) + " of native memory for " + path + ": " + e.getMessage(), e);
        }
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
