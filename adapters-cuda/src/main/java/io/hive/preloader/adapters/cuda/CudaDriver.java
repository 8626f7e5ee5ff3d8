package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code libcuda.so.1}, the CUDA driver API, bound through FFM. The library is looked up once, by the name in
 * the system property {@value #LIBRARY_PROPERTY} or else {@value #LIBRARY}, through the dynamic loader (so
 * {@code LD_LIBRARY_PATH} applies). Where it is absent every handle of {@link #LIBCUDA} is null and
 * {@link #unavailable()} says why; nothing calls a handle then, because {@link CudaVramSink} is only made when the
 * library loaded.
 *
 * <p>The {@code _v2} entry points are the ones {@code cuda.h} maps the plain names to since CUDA 4 (CUDA 11
 * for {@code cuDevicePrimaryCtxRelease} and {@code cuIpcOpenMemHandle}); binding the plain names would get the
 * old ABI with 32-bit sizes. {@code CUresult} is a C enum (int), {@code CUdevice} an int, {@code CUdeviceptr} an
 * {@code unsigned long long}, and {@code CUcontext}, {@code CUstream}, {@code CUevent} are pointers.
 *
 * <p>The table is a record, not static handles, so that a driver in host memory can stand in for the library: tests
 * bind methods of the same shapes ({@code FakeCuda}). Each handle returns its {@code CUresult} (0 is
 * {@code CUDA_SUCCESS}) and writes its results through the out-parameter segments it is given; opaque handles are
 * zero-length segments holding the address, a {@code CUdeviceptr} is a {@code long}. Nothing here checks a result:
 * {@link Cuda} does.
 */
record CudaDriver(MethodHandle cuInit, MethodHandle cuDeviceGetCount, MethodHandle cuDeviceGet,
        MethodHandle cuDeviceGetName, MethodHandle cuDevicePrimaryCtxRetain, MethodHandle cuDevicePrimaryCtxRelease,
        MethodHandle cuCtxSetCurrent, MethodHandle cuMemGetInfo, MethodHandle cuMemAlloc, MethodHandle cuMemFree,
        MethodHandle cuMemHostRegister, MethodHandle cuMemHostUnregister, MethodHandle cuMemcpyHtoD,
        MethodHandle cuMemcpyHtoDAsync, MethodHandle cuMemcpyDtoH, MethodHandle cuStreamCreate,
        MethodHandle cuStreamSynchronize, MethodHandle cuStreamDestroy, MethodHandle cuEventCreate,
        MethodHandle cuEventRecord, MethodHandle cuEventSynchronize, MethodHandle cuEventDestroy,
        MethodHandle cuIpcGetMemHandle, MethodHandle cuIpcOpenMemHandle, MethodHandle cuIpcCloseMemHandle,
        MethodHandle cuGetErrorName) {
    static final String LIBRARY = "libcuda.so.1";
    static final String LIBRARY_PROPERTY = "preloader.cuda.library";

    /** {@code typedef struct CUipcMemHandle_st { char reserved[64]; } CUipcMemHandle;} */
    static final StructLayout IPC_HANDLE = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("reserved"));

    private static final String LIBRARY_NAME = System.getProperty(LIBRARY_PROPERTY, LIBRARY);
    private static final String LOAD_FAILURE;
    private static final SymbolLookup CUDA;

    static {
        SymbolLookup lookup = null;
        String failure = null;
        try {
            lookup = load(LIBRARY_NAME);
        } catch (IllegalArgumentException e) {
            failure = LIBRARY_NAME + " not found (no NVIDIA driver here, or set LD_LIBRARY_PATH, e.g. to /usr/local/nvidia/lib64)";
        }
        CUDA = lookup;
        LOAD_FAILURE = failure;
    }

    private static final Linker LINKER = Linker.nativeLinker();
    /** Entry points the library lacks (a driver older than CUDA 11): the driver is then unusable. */
    private static final List<String> MISSING = new ArrayList<>();

    /** {@code libcuda.so.1}'s entry points, each with its C prototype. */
    static final CudaDriver LIBCUDA = new CudaDriver(
            link("cuInit", JAVA_INT),                                              // CUresult cuInit(unsigned int Flags);
            link("cuDeviceGetCount", ADDRESS),                                     // CUresult cuDeviceGetCount(int *count);
            link("cuDeviceGet", ADDRESS, JAVA_INT),                                // CUresult cuDeviceGet(CUdevice *device, int ordinal);
            link("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT),                  // CUresult cuDeviceGetName(char *name, int len, CUdevice dev);
            link("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT),                   // CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev);
            link("cuDevicePrimaryCtxRelease_v2", JAVA_INT),                        // CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev);
            link("cuCtxSetCurrent", ADDRESS),                                      // CUresult cuCtxSetCurrent(CUcontext ctx);
            link("cuMemGetInfo_v2", ADDRESS, ADDRESS),                             // CUresult cuMemGetInfo_v2(size_t *free, size_t *total);
            link("cuMemAlloc_v2", ADDRESS, JAVA_LONG),                             // CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize);
            link("cuMemFree_v2", JAVA_LONG),                                       // CUresult cuMemFree_v2(CUdeviceptr dptr);
            link("cuMemHostRegister_v2", ADDRESS, JAVA_LONG, JAVA_INT),            // CUresult cuMemHostRegister_v2(void *p, size_t bytesize, unsigned int Flags);
            link("cuMemHostUnregister", ADDRESS),                                  // CUresult cuMemHostUnregister(void *p);
            link("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG),                // CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount);
            link("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS),  // CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream);
            link("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG),                // CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount);
            link("cuStreamCreate", ADDRESS, JAVA_INT),                             // CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags);
            link("cuStreamSynchronize", ADDRESS),                                  // CUresult cuStreamSynchronize(CUstream hStream);
            link("cuStreamDestroy_v2", ADDRESS),                                   // CUresult cuStreamDestroy_v2(CUstream hStream);
            link("cuEventCreate", ADDRESS, JAVA_INT),                              // CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags);
            link("cuEventRecord", ADDRESS, ADDRESS),                               // CUresult cuEventRecord(CUevent hEvent, CUstream hStream);
            link("cuEventSynchronize", ADDRESS),                                   // CUresult cuEventSynchronize(CUevent hEvent);
            link("cuEventDestroy_v2", ADDRESS),                                    // CUresult cuEventDestroy_v2(CUevent hEvent);
            link("cuIpcGetMemHandle", ADDRESS, JAVA_LONG),                         // CUresult cuIpcGetMemHandle(CUipcMemHandle *pHandle, CUdeviceptr dptr);
            link("cuIpcOpenMemHandle_v2", ADDRESS, IPC_HANDLE, JAVA_INT),          // CUresult cuIpcOpenMemHandle_v2(CUdeviceptr *pdptr, CUipcMemHandle handle, unsigned int Flags);
            link("cuIpcCloseMemHandle", JAVA_LONG),                                // CUresult cuIpcCloseMemHandle(CUdeviceptr dptr);
            link("cuGetErrorName", JAVA_INT, ADDRESS));                            // CUresult cuGetErrorName(CUresult error, const char **pStr);

    /** Why the driver cannot be used, or empty when {@code libcuda.so.1} loaded with every entry point. */
    static Optional<String> unavailable() {
        if (LOAD_FAILURE != null) {
            return Optional.of(LOAD_FAILURE);
        }
        return MISSING.isEmpty() ? Optional.empty()
                : Optional.of(LIBRARY_NAME + " lacks " + String.join(", ", MISSING) + ": the NVIDIA driver is older than CUDA 11");
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    private static SymbolLookup load(String library) {
        return SymbolLookup.libraryLookup(library, Arena.global()); // loaded for the life of the process, as the driver expects
    }

    /** A handle for {@code CUresult name(arguments...)}, or null when the library or the symbol is absent. */
    @SuppressWarnings("restricted")
    private static MethodHandle link(String name, MemoryLayout... arguments) {
        if (CUDA == null) {
            return null;
        }
        Optional<MemorySegment> symbol = CUDA.find(name);
        if (symbol.isEmpty()) {
            MISSING.add(name);
            return null;
        }
        return LINKER.downcallHandle(symbol.get(), FunctionDescriptor.of(JAVA_INT, arguments));
    }
}
