package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.AnonymousMemory;
import io.hive.preloader.linux.Libc;

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
 * <p>The copy's memory is fresh for every load, and on virtual machines the first touch of fresh memory costs more
 * than the read itself (DESIGN.md, "Also seen"). So it is an anonymous mapping ({@link AnonymousMemory}) that the
 * read is the first to touch, instead of {@code Arena.allocate}'s memory, which is zero-filled before the read
 * copies over it; and files of {@link #PARALLEL_FROM} or more are read by {@link #READERS} threads, whose page
 * faults and copies overlap. The copy is left out of core dumps ({@code MADV_DONTDUMP}): the file holds the same
 * bytes, and a dump of a process holding tens of GiB of models would be as large; {@code /proc/PID/smaps} shows the
 * copies by that flag ({@code dd}).
 *
 * <p>Transparent huge pages are not asked for by default. Measured on the project's 2-CPU Firecracker machines
 * (THP {@code madvise}, a virtio balloon with free page reporting), a fresh process loading 1 GiB got every huge
 * page it asked for, yet loaded 3 to 5 times slower than on 4 KiB pages (medians, from the page cache: 0.5 against
 * 1.4 GB/s; with O_DIRECT: 0.2 against 1.0). Probably because huge pages are carved from the free 2 MiB blocks the
 * guest has reported to the host, which must then fault each of their 4 KiB back in, while 4 KiB pages come first
 * from smaller free blocks the host still backs. Elsewhere huge pages may pay off: the package-private constructor
 * asks for them.
 */
public final class BufferRamStore implements RamStore {
    /** From this size on, {@link #READERS} threads read. */
    static final long PARALLEL_FROM = 256L << 20;
    static final int READERS = 2;
    static final long HUGE_PAGE = 2L << 20;

    private final boolean directIo;
    private final int readers;
    private final boolean hugePages;

    /** A store that reads through the page cache. */
    public BufferRamStore() {
        this(false);
    }

    /** @param directIo read with O_DIRECT, bypassing the page cache; needs a filesystem that supports it */
    public BufferRamStore(boolean directIo) {
        this(directIo, READERS, false);
    }

    /**
     * @param readers   how many threads read a file of {@link #PARALLEL_FROM} or more
     * @param hugePages back copies of 2 MiB or more with transparent huge pages, where the kernel has them
     */
    BufferRamStore(boolean directIo, int readers, boolean hugePages) {
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, not " + readers);
        }
        this.directIo = directIo;
        this.readers = readers;
        this.hugePages = hugePages;
    }

    @Override
    public String name() {
        return "buffer";
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        return load(model, progress, ContentCheck.NONE);
    }

    /** Hashes each chunk once it is read, on the check's own thread, beside the readers. */
    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        Path path = model.path();
        try (FileChannel channel = open(path)) {
            // The path still names the version described once the channel is open: the channel holds that inode,
            // whatever is renamed over the path later. Anything else is retried by the preloader.
            ModelChangedException.requireSame(model, Fingerprint.of(Files.readAttributes(path, Fingerprint.UNIX_ATTRIBUTES)));
            long size = channel.size();
            // O_DIRECT reads whole blocks into memory aligned to the device's logical block: the mapping starts on a
            // 4 KiB page and reaches at least to the block after the file's end.
            long block = directIo ? Math.max(Files.getFileStore(path).getBlockSize(), 1) : 1;
            long capacity = roundUp(size, block);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment memory = allocate(capacity, arena, path);
                int threads = size >= PARALLEL_FROM ? readers : 1;
                try (ContentCheck.Hashing hashing = check.start(memory.asSlice(0, size))) {
                    ChunkedReader.read(channel, path, memory, size, capacity, ChunkedReader.CHUNK, threads, progress, hashing);
                    hashing.verify(); // closed before the arena, on any failure: nothing reads the copy once it goes
                }
                return new NativeRegion(arena, memory.asSlice(0, size));
            } catch (RuntimeException | Error failure) {
                arena.close();
                throw failure;
            }
        } catch (IOException e) {
            throw new StoreException("reading " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Memory for a copy, unmapped when {@code arena} closes. With huge pages asked for, a copy of 2 MiB or more gets
     * whole huge pages, 2 MiB-aligned and advised {@code MADV_HUGEPAGE} before the read first touches them (a smaller
     * one stays on 4 KiB pages, so that it does not cost a whole huge page); a kernel without THP gives base pages.
     */
    private MemorySegment allocate(long capacity, Arena arena, Path path) {
        boolean huge = hugePages && capacity >= HUGE_PAGE;
        MemorySegment memory = huge ? AnonymousMemory.map(roundUp(capacity, HUGE_PAGE), HUGE_PAGE, arena, path)
                : AnonymousMemory.map(capacity, Libc.pageSize(), arena, path);
        Libc.madvise(memory, Libc.Advice.MADV_DONTDUMP, path);
        if (huge) {
            Libc.adviseIfSupported(memory, Libc.Advice.MADV_HUGEPAGE, path);
        }
        return memory;
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

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
