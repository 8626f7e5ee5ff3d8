package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ByteSize;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps each model in a shared file that a worker process maps directly: on a hugetlbfs mount when one is configured
 * (huge pages from the reserved pool, fewer TLB misses for CPU inference, never swapped), else in a tmpfs folder such
 * as {@code /dev/shm} with transparent huge pages asked for, else in plain pages. The store says which it got in
 * {@link #name()} (hence in the cache's stats), in {@link #placement()} and once in the log.
 *
 * <p>Mapping is done by Chronicle Bytes; the model is copied in by the kernel ({@link SharedFileCopy}: written into a
 * tmpfs of base pages, read into the mapping by two threads where huge pages need one), so that memory that cannot be
 * had shows as an I/O error, not a SIGBUS.
 *
 * <p>What a model takes: its size rounded up to whole pages ({@link Placement#roundUp}): on hugetlbfs up to one huge
 * page more than the model, which the cache's budget (it counts model bytes) does not see; {@link #reservedBytes()}
 * does. A load that needs more huge pages than are free gets a {@link StoreException} before anything is written.
 *
 * <p>The shared file holds the model's bytes from offset 0. On tmpfs it is exactly the model's size; on hugetlbfs,
 * whose files are whole pages, zeros follow up to the page boundary. Files are named
 * {@code preloader-<pid>-<model id>-<n>.gguf}, readable by whoever may read the model file, and deleted on release.
 */
public final class HugePageRamStore implements RamStore {
    /** Where most distributions mount hugetlbfs. */
    public static final Path DEFAULT_HUGETLBFS = Path.of("/dev/hugepages");
    /** The POSIX shared-memory tmpfs. */
    public static final Path DEFAULT_FALLBACK = Path.of("/dev/shm");

    private static final System.Logger LOG = System.getLogger(HugePageRamStore.class.getName());
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final Pattern OURS = Pattern.compile("preloader-(\\d+)-.+\\.gguf");

    private final Placement placement;
    private final RoomCheck room;
    private final AtomicLong reserved = new AtomicLong();
    private final Set<SharedFileRegion> live = ConcurrentHashMap.newKeySet();

    /** The defaults: hugetlbfs at {@code /dev/hugepages} when mounted there, else {@code /dev/shm}. */
    public HugePageRamStore() {
        this(Optional.of(DEFAULT_HUGETLBFS), DEFAULT_FALLBACK);
    }

    /**
     * @param hugetlbfs the hugetlbfs mount to use when it is mounted, writable and has huge pages in its pool
     * @param fallback  the folder used otherwise, normally a tmpfs such as {@code /dev/shm}
     * @throws IllegalArgumentException when the fallback folder is not a writable directory
     */
    public HugePageRamStore(Optional<Path> hugetlbfs, Path fallback) {
        this(Placement.choose(hugetlbfs, fallback), null);
        boolean fellBack = hugetlbfs.isPresent() && placement.mode() != Mode.HUGETLBFS;
        LOG.log(fellBack ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                "hugepages store: {0} pages in {1}: {2}", placement.label(), placement.directory(), placement.reason());
        warnAboutLeftovers();
    }

    /** @param room checks that a model fits before it is written; {@code null} for the live {@link Pool} */
    HugePageRamStore(Placement placement, RoomCheck room) {
        this.placement = placement;
        this.room = room == null ? new Pool(placement, Kernel.LIVE) : room;
    }

    /** {@code hugepages:hugetlbfs}, {@code hugepages:thp} or {@code hugepages:plain}. */
    @Override
    public String name() {
        return "hugepages:" + placement.label();
    }

    public Mode mode() {
        return placement.mode();
    }

    /** Where the shared files go, which pages back them, and why. */
    public Placement placement() {
        return placement;
    }

    /** Bytes of RAM the resident models take here: their sizes rounded up to whole pages. */
    @Override
    public OptionalLong reservedBytes() {
        return OptionalLong.of(reserved.get());
    }

    /** Bytes of the resident models that the kernel backs with huge pages now, measured from /proc/self/smaps. */
    public long hugePageBytes() {
        return live.stream().mapToLong(SharedFileRegion::hugePageBytes).sum();
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        return load(model, progress, ContentCheck.NONE);
    }

    /** Hashes each chunk once it is copied into the shared file, on the check's own thread, beside the copy. */
    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        Path source = model.path();
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
            // The path still names the version described once the channel is open: the channel holds that inode,
            // whatever is renamed over the path later. Anything else is retried by the preloader.
            ModelChangedException.requireSame(model, Fingerprint.of(Files.readAttributes(source, Fingerprint.UNIX_ATTRIBUTES)));
            long size = in.size();
            long pages = placement.roundUp(size);
            room.ensureRoom(model, pages);
            Path shared = createSharedFile(model, source);
            Arena arena = Arena.ofShared();
            Optional<SharedMapping> mapping = Optional.empty();
            try {
                MemorySegment bytes = arena.allocate(0);
                if (size > 0) {
                    // Mapped before the copy, so that the content check can read each range once it is in.
                    mapping = Optional.of(SharedMapping.map(shared, pages, placement.pageSize(), placement.mode()));
                    MemorySegment target = mapping.get().segment(arena);
                    try (ContentCheck.Hashing hashing = check.start(target.asSlice(0, size))) {
                        // Base pages need no mapping to be written; huge pages come only through one.
                        if (placement.mode() == Mode.PLAIN_PAGES) {
                            SharedFileCopy.write(in, source, shared, size, progress, hashing);
                        } else {
                            if (placement.tmpfs()) {
                                Libc.adviseIfSupported(target, Libc.Advice.MADV_HUGEPAGE, shared); // before the first touch; the mode says what came of it
                            }
                            SharedFileCopy.read(in, source, target, size, shared, progress, hashing);
                        }
                        hashing.verify(); // closed before the mapping goes, on any failure
                    }
                    if (placement.mode() != Mode.HUGETLBFS && pages != size) {
                        truncate(shared, size);
                    }
                    bytes = target.asSlice(0, size);
                } else {
                    progress.advanced(0, 0);
                    try (ContentCheck.Hashing hashing = check.start(bytes)) {
                        hashing.verify(); // the digest of no bytes
                    }
                }
                return track(new SharedFileRegion(shared, arena, bytes, mapping, pages, this::released));
            } catch (RuntimeException | Error failure) {
                freeAfter(failure, arena, mapping, shared);
                throw failure;
            }
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot load " + source + ": no such file", e);
        } catch (IOException e) {
            throw new StoreException("cannot load " + source + ": " + e.getMessage(), e);
        }
    }

    private SharedFileRegion track(SharedFileRegion region) {
        reserved.addAndGet(region.reservedBytes());
        live.add(region);
        return region;
    }

    private void released(SharedFileRegion region) {
        if (live.remove(region)) {
            reserved.addAndGet(-region.reservedBytes());
        }
    }

    private Path createSharedFile(ModelDescriptor model, Path source) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path shared = placement.directory().resolve("preloader-" + pid + "-" + model.id() + "-" + SEQUENCE.incrementAndGet() + ".gguf");
        Set<PosixFilePermission> permissions = sharedPermissions(source);
        try {
            Files.createFile(shared, PosixFilePermissions.asFileAttribute(permissions));
        } catch (IOException e) {
            throw new StoreException("cannot create the shared file " + shared + " for " + model.id() + ": " + e, e);
        }
        try {
            Files.setPosixFilePermissions(shared, permissions); // the umask may have taken some away
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(shared);
            throw e;
        }
        return shared;
    }

    /** Whoever may read the model file may read its shared copy; only this user may write it. */
    private static Set<PosixFilePermission> sharedPermissions(Path source) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Set<PosixFilePermission> model = Files.getPosixFilePermissions(source);
        for (PosixFilePermission read : List.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ)) {
            if (model.contains(read)) {
                permissions.add(read);
            }
        }
        return permissions;
    }

    private static void truncate(Path shared, long size) {
        try (RandomAccessFile file = new RandomAccessFile(shared.toFile(), "rw")) {
            file.setLength(size);
        } catch (IOException e) {
            throw new StoreException("cannot trim the shared file " + shared + " to " + size + " bytes: " + e.getMessage(), e);
        }
    }

    /**
     * Frees what a failed load took, every step tried: the bytes were never handed out, so no reader is in them
     * whatever the arena's close throws. The load's failure is the one thrown; these are suppressed in it.
     */
    static void freeAfter(Throwable failure, Arena arena, Optional<SharedMapping> mapping, Path shared) {
        Cleanup.afterFailure(failure, List.of(arena::close, () -> mapping.ifPresent(SharedMapping::unmap), () -> {
            try {
                Files.deleteIfExists(shared);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Shared files of a preloader that is gone hold memory until someone deletes them: say so, delete nothing. */
    private void warnAboutLeftovers() {
        try (var files = Files.list(placement.directory())) {
            List<Path> orphans = files.filter(f -> {
                Matcher m = OURS.matcher(f.getFileName().toString());
                return m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty();
            }).toList();
            if (!orphans.isEmpty()) {
                long bytes = orphans.stream().mapToLong(HugePageRamStore::sizeOf).sum();
                LOG.log(System.Logger.Level.WARNING, "{0} shared files in {1} ({2}) were left by preloaders that are gone and"
                        + " still hold their memory; delete them if no worker uses them, e.g. {3}",
                        orphans.size(), placement.directory(), ByteSize.format(bytes), orphans.getFirst().getFileName());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot list " + placement.directory() + ": " + e.getMessage());
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
