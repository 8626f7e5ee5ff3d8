package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Fresh private memory straight from the kernel: an anonymous {@code mmap}, unmapped when its arena closes. Unlike
 * {@code Arena.allocate} nothing zero-fills it in Java first: the kernel hands out zeroed pages on first touch,
 * which is the read's own copy, so the memory is written once instead of twice.
 *
 * <p>On request the mapping is 2 MiB-aligned and advised {@code MADV_HUGEPAGE} before anything touches it, so that
 * one fault brings in 2 MiB instead of 4 KiB. {@link BufferRamStore} does not ask for that by default: measured on
 * the project's virtual machines, huge pages made fresh-process loads 3 to 5 times slower (see its notes).
 *
 * <p>Every handle captures errno into a segment allocated for that one call, so concurrent callers never read
 * each other's errno; a failure becomes a {@link StoreException} naming the call and the errno.
 */
final class AnonymousMemory {
    static final long PAGE = 4096;
    static final long HUGE_PAGE = 2L << 20;

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final long MAP_FAILED = -1L;
    private static final int EINVAL = 22;
    private static final Pattern SMAPS_HEADER = Pattern.compile("([0-9a-f]+)-([0-9a-f]+) ");

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // Each handle takes the errno segment as its first argument, then the C arguments.
    private static final MethodHandle MMAP = link("mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG)); // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
    private static final MethodHandle MUNMAP = link("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));                                     // int munmap(void *addr, size_t length);
    private static final MethodHandle MADVISE = link("madvise", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));                        // int madvise(void *addr, size_t length, int advice);

    private AnonymousMemory() {
    }

    /**
     * Fresh memory of at least {@code bytes}, whose address is a multiple of 4 KiB, unmapped when {@code arena}
     * closes; after that, any access throws {@link IllegalStateException}.
     *
     * @param hugePages ask for transparent huge pages: from 2 MiB on, the mapping is then rounded up to whole huge
     *                  pages, 2 MiB-aligned and advised {@code MADV_HUGEPAGE} before its first touch; smaller ones
     *                  stay on 4 KiB pages, so that a small model does not cost a whole huge page
     * @param file      only for messages: what the memory is for
     */
    @SuppressWarnings("restricted") // reinterpret: the length is the one just mapped
    static Mapping allocate(long bytes, boolean hugePages, Arena arena, Path file) {
        boolean huge = hugePages && bytes >= HUGE_PAGE;
        long length = Math.max(roundUp(bytes, huge ? HUGE_PAGE : PAGE), PAGE);
        long start = huge ? mapAligned(length, file) : map(length, file);
        boolean advised = huge && adviseHugePages(start, length, file);
        MemorySegment memory = MemorySegment.ofAddress(start).reinterpret(length, arena, segment -> unmapQuietly(start, length));
        return new Mapping(memory, advised);
    }

    /** A mapping, and whether the kernel accepted {@code MADV_HUGEPAGE} for it (false when not asked for). */
    record Mapping(MemorySegment memory, boolean hugePagesRequested) {
    }

    /**
     * How many bytes of the mapping that holds {@code memory}'s address are backed by transparent huge pages now,
     * read from the {@code AnonHugePages} line of its entry in {@code /proc/self/smaps}; -1 when no entry holds the
     * address. The kernel may have merged the mapping with a neighbour of the same kind, whose bytes then count too.
     * A diagnostic: it reads a file listing every mapping of the process.
     */
    static long hugePageBytes(MemorySegment memory) {
        long address = memory.address();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        } catch (IOException e) {
            return -1;
        }
        boolean inside = false;
        for (String line : lines) {
            Matcher header = SMAPS_HEADER.matcher(line);
            if (header.lookingAt()) {
                inside = Long.compareUnsigned(Long.parseUnsignedLong(header.group(1), 16), address) <= 0
                        && Long.compareUnsigned(address, Long.parseUnsignedLong(header.group(2), 16)) < 0;
            } else if (inside && line.startsWith("AnonHugePages:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    /**
     * Maps {@code length} bytes at an address that is a multiple of 2 MiB, without which no huge page can back the
     * mapping. Recent kernels align such mappings by themselves; otherwise this maps 2 MiB more and trims.
     */
    private static long mapAligned(long length, Path file) {
        long start = map(length, file);
        if (start % HUGE_PAGE == 0) {
            return start;
        }
        unmap(start, length, file);
        long padded = map(length + HUGE_PAGE, file);
        long aligned = roundUp(padded, HUGE_PAGE);
        if (aligned > padded) {
            unmap(padded, aligned - padded, file);
        }
        long end = padded + length + HUGE_PAGE;
        if (end > aligned + length) {
            unmap(aligned + length, end - (aligned + length), file);
        }
        return aligned;
    }

    private static long map(long length, Path file) {
        Result r = invoke(state -> ((MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length,
                PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L)).address());
        if (r.value() == MAP_FAILED) {
            throw new StoreException("cannot allocate " + ByteSize.format(length) + " of native memory for " + file
                    + ": mmap(MAP_PRIVATE|MAP_ANONYMOUS) failed: " + describe(r.errno()));
        }
        return r.value();
    }

    /**
     * Asks for transparent huge pages; false when the kernel has none to give (built without THP: EINVAL). With THP
     * set to {@code never} the call succeeds and changes nothing, so the memory simply stays on 4 KiB pages.
     */
    private static boolean adviseHugePages(long start, long length, Path file) {
        Result r = invoke(state -> (int) MADVISE.invokeExact(state, MemorySegment.ofAddress(start), length, MADV_HUGEPAGE));
        if (r.value() == 0) {
            return true;
        }
        if (r.errno() == EINVAL) {
            return false;
        }
        unmapQuietly(start, length);
        throw new StoreException("madvise(MADV_HUGEPAGE) of " + ByteSize.format(length) + " of native memory for "
                + file + " failed: " + describe(r.errno()));
    }

    private static void unmap(long start, long length, Path file) {
        Result r = invoke(state -> (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(start), length));
        if (r.value() != 0) {
            throw new StoreException("munmap of " + ByteSize.format(length) + " of native memory for " + file
                    + " failed: " + describe(r.errno()));
        }
    }

    /**
     * The arena's cleanup: it cannot report a failure to anyone, and munmap of a range this class mapped fails
     * only if the range is wrong, which the arena rules out by running this once.
     */
    private static void unmapQuietly(long start, long length) {
        invoke(state -> (int) MUNMAP.invokeExact(state, MemorySegment.ofAddress(start), length));
    }

    /** {@code ENOMEM (12)} for the errno values these calls fail with, else {@code errno 123}. */
    static String describe(int errno) {
        String name = switch (errno) {
            case 1 -> "EPERM";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 22 -> "EINVAL";
            case 23 -> "ENFILE";
            case 75 -> "EOVERFLOW";
            default -> null;
        };
        return name == null ? "errno " + errno : name + " (" + errno + ")";
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, FunctionDescriptor function) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, function, Linker.Option.captureCallState("errno"));
    }

    /** A downcall through one of the handles above, given the errno segment to pass first. */
    @FunctionalInterface
    private interface Downcall {
        long call(MemorySegment callState) throws Throwable;
    }

    /** What a call returned, and errno as it was right after the call (meaningful only when the call failed). */
    private record Result(long value, int errno) {
    }

    /** The one place where invokeExact's {@code throws Throwable} is dealt with. */
    private static Result invoke(Downcall downcall) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long value = downcall.call(state);
            return new Result(value, (int) ERRNO.get(state, 0L));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("a libc downcall threw a checked exception", t);
        }
    }
}
