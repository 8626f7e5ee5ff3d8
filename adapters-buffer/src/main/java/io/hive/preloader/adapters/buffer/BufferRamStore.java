package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.Fingerprint;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.Cleanup;
import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.ModelChangedException;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;
import io.hive.preloader.linux.Libc;
import io.hive.preloader.linux.Prefaulter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * Keeps a model resident as a private copy in native memory, read from the file in large chunks. With direct I/O
 * the reads bypass the page cache, so the model takes its size in RAM once rather than twice.
 *
 * <p>On virtual machines the first touch of fresh memory costs more than the read itself (DESIGN.md, "Measured"), so:
 * <ul>
 *   <li>the copy goes into an anonymous mapping ({@link CopyMemory}) that nothing zero-fills first, where
 *       {@code Arena.allocate} would write it twice;</li>
 *   <li>fresh memory is faulted in ahead of the reads by a thread of its own ({@link Prefaulter},
 *       {@code MADV_POPULATE_WRITE}), while files of {@link #PARALLEL_FROM} or more are read by {@link #READERS}
 *       threads: faults, copies and (cold) disk reads overlap on the two CPUs;</li>
 *   <li>the memory of a model evicted to make room for a load is kept for that load ({@link SpareMemory}) where it
 *       fits, which then only copies.</li>
 * </ul>
 * The copy is left out of core dumps ({@code MADV_DONTDUMP}): the file holds the same bytes, and a dump of a process
 * holding tens of GiB of models would be as large; {@code /proc/PID/smaps} shows the copies by that flag ({@code dd}).
 *
 * <p>Transparent huge pages are not asked for by default. Measured on the project's 2-CPU Firecracker machines
 * (THP {@code madvise}, a virtio balloon with free page reporting), a fresh process loading 1 GiB got every huge
 * page it asked for, yet loaded 3 to 5 times slower than on 4 KiB pages (medians, from the page cache: 0.5 against
 * 1.4 GB/s; with O_DIRECT: 0.2 against 1.0); prefaulting them is no better (512 MiB with {@code MADV_POPULATE_WRITE}
 * after the freed memory went back to the host: 0.2 to 0.7 GB/s with huge pages, 1.6 to 2.8 on 4 KiB pages). Huge
 * pages are carved from the free 2 MiB blocks the guest has reported to the host, which must then fault each of their
 * 4 KiB back in. Elsewhere huge pages may pay off: the package-private constructor asks for them.
 */
public final class BufferRamStore implements RamStore {
    /** From this size on, {@link #READERS} threads read. */
    static final long PARALLEL_FROM = 256L << 20;
    static final int READERS = 2;
    /** From this much fresh memory on, a thread faults it in ahead of the reads. */
    static final long PREFAULT_FROM = 64L << 20;
    static final long HUGE_PAGE = 2L << 20;
    /** How long the memory of a model evicted to make room waits for the load it was freed for. */
    static final Duration SPARE_KEEP = Duration.ofSeconds(2);

    private final boolean directIo;
    private final int readers;
    private final boolean hugePages;
    private final SpareMemory spare;

    /** A store that reads through the page cache. */
    public BufferRamStore() {
        this(false);
    }

    /** @param directIo read with O_DIRECT, bypassing the page cache; needs a filesystem that supports it */
    public BufferRamStore(boolean directIo) {
        this(directIo, Long.MAX_VALUE, SPARE_KEEP);
    }

    /**
     * A store that keeps the memory of models evicted to make room for a load for that load: at most
     * {@code spareLimit} bytes, each mapping at most {@code spareKeep}, and only until the next load that needs fresh
     * memory ({@link SpareMemory}).
     *
     * @param spareLimit the most bytes kept; 0 keeps nothing (every eviction unmaps at once)
     */
    public BufferRamStore(boolean directIo, long spareLimit, Duration spareKeep) {
        this(directIo, READERS, false, spareLimit, spareKeep);
    }

    /**
     * @param readers   how many threads read a file of {@link #PARALLEL_FROM} or more
     * @param hugePages back copies of 2 MiB or more with transparent huge pages, where the kernel has them
     */
    BufferRamStore(boolean directIo, int readers, boolean hugePages, long spareLimit, Duration spareKeep) {
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be at least 1, not " + readers);
        }
        this.directIo = directIo;
        this.readers = readers;
        this.hugePages = hugePages;
        this.spare = new SpareMemory(spareLimit, spareKeep);
    }

    @Override
    public String name() {
        return "buffer";
    }

    /** Bytes of RAM kept now for the loads that evictions made room for. */
    public long spareBytes() {
        return spare.bytes();
    }

    /**
     * Unmaps kept memory, oldest first, until at least {@code bytes} are given back or none is kept
     * ({@code Long.MAX_VALUE}: all). Returns the bytes given back. Safe from any thread, beside loads.
     */
    public long giveBackSpare(long bytes) {
        return spare.giveBack(bytes);
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
            boolean huge = hugePages && capacity >= HUGE_PAGE;
            CopyMemory memory = spare.take(capacity).orElseGet(() -> CopyMemory.map(capacity, huge, HUGE_PAGE, path));
            Arena view = Arena.ofShared();
            try {
                read(channel, path, memory, size, capacity, progress, check);
                return new NativeRegion(view, memory.view(size, view), memory, spare::keep);
            } catch (RuntimeException | Error failure) {
                freeAfter(failure, view, memory);
                throw failure;
            }
        } catch (IOException e) {
            throw new StoreException("reading " + path + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Frees what a failed load took, every step tried: the view was never handed out, so whatever its close throws, no
     * reader is in the memory, which is unmapped too. The load's failure is the one thrown; these are suppressed in it.
     */
    static void freeAfter(Throwable failure, Arena view, CopyMemory memory) {
        Cleanup.afterFailure(failure, List.<Runnable>of(view::close, memory::unmap));
    }

    /**
     * Reads the file into {@code memory}, with a thread faulting in ahead whatever of it is not backed yet, and checks
     * what it read as {@code check} asks.
     */
    private void read(FileChannel channel, Path path, CopyMemory memory, long size, long capacity, LoadProgress progress,
                      ContentCheck check) {
        long end = roundUp(capacity, Libc.pageSize());
        long from = Math.min(memory.backed(), end);
        Prefaulter prefaulter = end - from >= PREFAULT_FROM ? Prefaulter.start(memory.mapping().asSlice(0, end), from, "buffer-prefault " + path)
                : null;
        try (ContentCheck.Hashing hashing = check.start(memory.mapping().asSlice(0, size))) {
            int threads = size >= PARALLEL_FROM ? readers : 1;
            ChunkedReader.read(channel, path, memory.mapping(), size, capacity, ChunkedReader.CHUNK, threads,
                    prefaulter == null ? claimed -> { } : prefaulter::claimed, progress, hashing);
            hashing.verify(); // closed before the memory is unmapped, on any failure: nothing reads the copy once it goes
        } finally {
            if (prefaulter != null) {
                prefaulter.stop();
            }
        }
        memory.filled(capacity);
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
