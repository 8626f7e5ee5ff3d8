package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code libcuda.so.1}, the CUDA driver API, bound through FFM. The library is looked up once, by the name in
 * the system property {@value #LIBRARY_PROPERTY} or else {@value #LIBRARY}, through the dynamic loader (so
 * {@code LD_LIBRARY_PATH} applies). Where it is absent every handle is null and {@link #unavailable()} says why;
 * nothing calls a handle then, because {@link CudaVramSink} is only made when the library loaded.
 *
 * <p>The {@code _v2} entry points are the ones {@code cuda.h} maps the plain names to since CUDA 4 (CUDA 11
 * for {@code cuDevicePrimaryCtxRelease} and {@code cuIpcOpenMemHandle}); binding the plain names would get the
 * old ABI with 32-bit sizes. {@code CUresult} is a C enum (int), {@code CUdevice} an int, {@code CUdeviceptr} an
 * {@code unsigned long long}, and {@code CUcontext}, {@code CUstream}, {@code CUevent} are pointers.
 */
final class CudaDriver implements CudaApi {
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
    private static final java.util.List<String> MISSING = new java.util.ArrayList<>();

    private static final MethodHandle CU_INIT = link("cuInit", JAVA_INT);                                                     // CUresult cuInit(unsigned int Flags);
    private static final MethodHandle CU_DEVICE_GET_COUNT = link("cuDeviceGetCount", ADDRESS);                              // CUresult cuDeviceGetCount(int *count);
    private static final MethodHandle CU_DEVICE_GET = link("cuDeviceGet", ADDRESS, JAVA_INT);                               // CUresult cuDeviceGet(CUdevice *device, int ordinal);
    private static final MethodHandle CU_DEVICE_GET_NAME = link("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);            // CUresult cuDeviceGetName(char *name, int len, CUdevice dev);
    private static final MethodHandle CU_DEVICE_PRIMARY_CTX_RETAIN = link("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);   // CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev);
    private static final MethodHandle CU_DEVICE_PRIMARY_CTX_RELEASE = link("cuDevicePrimaryCtxRelease_v2", JAVA_INT);       // CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev);
    private static final MethodHandle CU_CTX_SET_CURRENT = link("cuCtxSetCurrent", ADDRESS);                                // CUresult cuCtxSetCurrent(CUcontext ctx);
    private static final MethodHandle CU_MEM_GET_INFO = link("cuMemGetInfo_v2", ADDRESS, ADDRESS);                          // CUresult cuMemGetInfo_v2(size_t *free, size_t *total);
    private static final MethodHandle CU_MEM_ALLOC = link("cuMemAlloc_v2", ADDRESS, JAVA_LONG);                             // CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize);
    private static final MethodHandle CU_MEM_FREE = link("cuMemFree_v2", JAVA_LONG);                                        // CUresult cuMemFree_v2(CUdeviceptr dptr);
    private static final MethodHandle CU_MEM_HOST_REGISTER = link("cuMemHostRegister_v2", ADDRESS, JAVA_LONG, JAVA_INT);    // CUresult cuMemHostRegister_v2(void *p, size_t bytesize, unsigned int Flags);
    private static final MethodHandle CU_MEM_HOST_UNREGISTER = link("cuMemHostUnregister", ADDRESS);                        // CUresult cuMemHostUnregister(void *p);
    private static final MethodHandle CU_MEMCPY_HTOD = link("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);              // CUresult cuMemcpyHtoD_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount);
    private static final MethodHandle CU_MEMCPY_HTOD_ASYNC = link("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS); // CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dstDevice, const void *srcHost, size_t ByteCount, CUstream hStream);
    private static final MethodHandle CU_MEMCPY_DTOH = link("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);              // CUresult cuMemcpyDtoH_v2(void *dstHost, CUdeviceptr srcDevice, size_t ByteCount);
    private static final MethodHandle CU_STREAM_CREATE = link("cuStreamCreate", ADDRESS, JAVA_INT);                         // CUresult cuStreamCreate(CUstream *phStream, unsigned int Flags);
    private static final MethodHandle CU_STREAM_SYNCHRONIZE = link("cuStreamSynchronize", ADDRESS);                         // CUresult cuStreamSynchronize(CUstream hStream);
    private static final MethodHandle CU_STREAM_DESTROY = link("cuStreamDestroy_v2", ADDRESS);                              // CUresult cuStreamDestroy_v2(CUstream hStream);
    private static final MethodHandle CU_EVENT_CREATE = link("cuEventCreate", ADDRESS, JAVA_INT);                           // CUresult cuEventCreate(CUevent *phEvent, unsigned int Flags);
    private static final MethodHandle CU_EVENT_RECORD = link("cuEventRecord", ADDRESS, ADDRESS);                            // CUresult cuEventRecord(CUevent hEvent, CUstream hStream);
    private static final MethodHandle CU_EVENT_SYNCHRONIZE = link("cuEventSynchronize", ADDRESS);                           // CUresult cuEventSynchronize(CUevent hEvent);
    private static final MethodHandle CU_EVENT_DESTROY = link("cuEventDestroy_v2", ADDRESS);                                // CUresult cuEventDestroy_v2(CUevent hEvent);
    private static final MethodHandle CU_IPC_GET_MEM_HANDLE = link("cuIpcGetMemHandle", ADDRESS, JAVA_LONG);                // CUresult cuIpcGetMemHandle(CUipcMemHandle *pHandle, CUdeviceptr dptr);
    private static final MethodHandle CU_IPC_OPEN_MEM_HANDLE = link("cuIpcOpenMemHandle_v2", ADDRESS, IPC_HANDLE, JAVA_INT); // CUresult cuIpcOpenMemHandle_v2(CUdeviceptr *pdptr, CUipcMemHandle handle, unsigned int Flags);
    private static final MethodHandle CU_IPC_CLOSE_MEM_HANDLE = link("cuIpcCloseMemHandle", JAVA_LONG);                     // CUresult cuIpcCloseMemHandle(CUdeviceptr dptr);
    private static final MethodHandle CU_GET_ERROR_NAME = link("cuGetErrorName", JAVA_INT, ADDRESS);                        // CUresult cuGetErrorName(CUresult error, const char **pStr);

    static final CudaDriver INSTANCE = new CudaDriver();

    private CudaDriver() {
    }

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

    /** The one place where invokeExact's {@code throws Throwable} is dealt with. */
    @FunctionalInterface
    private interface Downcall {
        int call() throws Throwable;
    }

    private static int invoke(Downcall downcall) {
        try {
            return downcall.call();
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a CUDA downcall threw a checked exception", t);
    }

    // The calls made once per chunk invoke their handle directly rather than through a capturing lambda, so that
    // the hot path allocates nothing even where the JIT does not remove the lambda.

    @Override
    public int cuInit(int flags) {
        return invoke(() -> (int) CU_INIT.invokeExact(flags));
    }

    @Override
    public int cuDeviceGetCount(MemorySegment count) {
        return invoke(() -> (int) CU_DEVICE_GET_COUNT.invokeExact(count));
    }

    @Override
    public int cuDeviceGet(MemorySegment device, int ordinal) {
        return invoke(() -> (int) CU_DEVICE_GET.invokeExact(device, ordinal));
    }

    @Override
    public int cuDeviceGetName(MemorySegment name, int length, int device) {
        return invoke(() -> (int) CU_DEVICE_GET_NAME.invokeExact(name, length, device));
    }

    @Override
    public int cuDevicePrimaryCtxRetain(MemorySegment context, int device) {
        return invoke(() -> (int) CU_DEVICE_PRIMARY_CTX_RETAIN.invokeExact(context, device));
    }

    @Override
    public int cuDevicePrimaryCtxRelease(int device) {
        return invoke(() -> (int) CU_DEVICE_PRIMARY_CTX_RELEASE.invokeExact(device));
    }

    @Override
    public int cuCtxSetCurrent(MemorySegment context) {
        try {
            return (int) CU_CTX_SET_CURRENT.invokeExact(context);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int cuMemGetInfo(MemorySegment free, MemorySegment total) {
        return invoke(() -> (int) CU_MEM_GET_INFO.invokeExact(free, total));
    }

    @Override
    public int cuMemAlloc(MemorySegment devicePointer, long bytes) {
        return invoke(() -> (int) CU_MEM_ALLOC.invokeExact(devicePointer, bytes));
    }

    @Override
    public int cuMemFree(long devicePointer) {
        return invoke(() -> (int) CU_MEM_FREE.invokeExact(devicePointer));
    }

    @Override
    public int cuMemHostRegister(MemorySegment host, long bytes, int flags) {
        return invoke(() -> (int) CU_MEM_HOST_REGISTER.invokeExact(host, bytes, flags));
    }

    @Override
    public int cuMemHostUnregister(MemorySegment host) {
        return invoke(() -> (int) CU_MEM_HOST_UNREGISTER.invokeExact(host));
    }

    @Override
    public int cuMemcpyHtoD(long device, MemorySegment host, long bytes) {
        return invoke(() -> (int) CU_MEMCPY_HTOD.invokeExact(device, host, bytes));
    }

    @Override
    public int cuMemcpyHtoDAsync(long device, MemorySegment host, long bytes, MemorySegment stream) {
        try {
            return (int) CU_MEMCPY_HTOD_ASYNC.invokeExact(device, host, bytes, stream);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int cuMemcpyDtoH(MemorySegment host, long device, long bytes) {
        return invoke(() -> (int) CU_MEMCPY_DTOH.invokeExact(host, device, bytes));
    }

    @Override
    public int cuStreamCreate(MemorySegment stream, int flags) {
        return invoke(() -> (int) CU_STREAM_CREATE.invokeExact(stream, flags));
    }

    @Override
    public int cuStreamSynchronize(MemorySegment stream) {
        return invoke(() -> (int) CU_STREAM_SYNCHRONIZE.invokeExact(stream));
    }

    @Override
    public int cuStreamDestroy(MemorySegment stream) {
        return invoke(() -> (int) CU_STREAM_DESTROY.invokeExact(stream));
    }

    @Override
    public int cuEventCreate(MemorySegment event, int flags) {
        return invoke(() -> (int) CU_EVENT_CREATE.invokeExact(event, flags));
    }

    @Override
    public int cuEventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) CU_EVENT_RECORD.invokeExact(event, stream);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int cuEventSynchronize(MemorySegment event) {
        try {
            return (int) CU_EVENT_SYNCHRONIZE.invokeExact(event);
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    @Override
    public int cuEventDestroy(MemorySegment event) {
        return invoke(() -> (int) CU_EVENT_DESTROY.invokeExact(event));
    }

    @Override
    public int cuIpcGetMemHandle(MemorySegment handle, long devicePointer) {
        return invoke(() -> (int) CU_IPC_GET_MEM_HANDLE.invokeExact(handle, devicePointer));
    }

    @Override
    public int cuIpcOpenMemHandle(MemorySegment devicePointer, MemorySegment handle, int flags) {
        return invoke(() -> (int) CU_IPC_OPEN_MEM_HANDLE.invokeExact(devicePointer, handle, flags));
    }

    @Override
    public int cuIpcCloseMemHandle(long devicePointer) {
        return invoke(() -> (int) CU_IPC_CLOSE_MEM_HANDLE.invokeExact(devicePointer));
    }

    @Override
    public int cuGetErrorName(int error, MemorySegment name) {
        return invoke(() -> (int) CU_GET_ERROR_NAME.invokeExact(error, name));
    }
}
