package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Page-locked host memory from the driver, the fastest source a copy can have: what the benchmark measures the link's
 * ceiling from, and the ABI probe checks. The sink never allocates it, so these two calls are bound here, in the
 * tests, from the same library as {@link CudaDriver}.
 */
final class PinnedHostMemory {
    @SuppressWarnings("restricted")
    private static final SymbolLookup CUDA = SymbolLookup.libraryLookup(System.getProperty(CudaDriver.LIBRARY_PROPERTY, CudaDriver.LIBRARY), Arena.global());
    private static final MethodHandle ALLOC = link("cuMemAllocHost_v2", ADDRESS, JAVA_LONG); // CUresult cuMemAllocHost_v2(void **pp, size_t bytesize);
    private static final MethodHandle FREE = link("cuMemFreeHost", ADDRESS);                 // CUresult cuMemFreeHost(void *p);

    private PinnedHostMemory() {
    }

    /** {@code bytes} of pinned memory; the device's context must be current. */
    @SuppressWarnings("restricted") // the driver returns a pointer to {@code bytes} bytes
    static MemorySegment allocate(Cuda cuda, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ADDRESS);
            cuda.check((int) ALLOC.invokeExact(pointer, bytes), "cuMemAllocHost_v2", "of " + bytes + " bytes");
            return pointer.get(ADDRESS, 0).reinterpret(bytes);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void free(Cuda cuda, MemorySegment host) {
        try {
            cuda.check((int) FREE.invokeExact(host), "cuMemFreeHost", "");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, java.lang.foreign.MemoryLayout... arguments) {
        return Linker.nativeLinker().downcallHandle(CUDA.find(name).orElseThrow(), FunctionDescriptor.of(JAVA_INT, arguments));
    }
}
