package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One typed wrapper per driver call: it passes the out-parameters, checks the {@code CUresult} and turns a
 * failure into a {@link CudaException} naming the call, the error's name and what was being done. Out-parameters
 * live in a confined arena per call; the calls made per chunk take none and allocate nothing unless they fail (they
 * invoke their handle directly rather than through a capturing lambda, so that the hot path allocates nothing even
 * where the JIT does not remove the lambda).
 */
final class Cuda {
    static final int SUCCESS = 0;
    static final int ERROR_INVALID_VALUE = 1;
    static final int ERROR_OUT_OF_MEMORY = 2;
    static final int ERROR_NOT_SUPPORTED = 801;

    /** {@code CU_MEMHOSTREGISTER_PORTABLE}: the registration is seen by every context, not only the current one. */
    static final int MEMHOSTREGISTER_PORTABLE = 0x01;
    /** {@code CU_MEMHOSTREGISTER_READ_ONLY}: the device only reads it; needed for a read-only (page-cache) mapping. */
    static final int MEMHOSTREGISTER_READ_ONLY = 0x08;
    /** {@code CU_STREAM_NON_BLOCKING}: no implicit synchronisation with the legacy default stream. */
    static final int STREAM_NON_BLOCKING = 0x1;
    /** {@code CU_EVENT_DISABLE_TIMING}: the cheapest event, for synchronisation only. */
    static final int EVENT_DISABLE_TIMING = 0x2;
    /** {@code CU_IPC_MEM_LAZY_ENABLE_PEER_ACCESS}. */
    static final int IPC_MEM_LAZY_ENABLE_PEER_ACCESS = 0x1;
    static final int IPC_HANDLE_BYTES = 64;

    private final CudaDriver driver;

    Cuda(CudaDriver driver) {
        this.driver = driver;
    }

    /** A call through one of the driver's handles. */
    @FunctionalInterface
    private interface Call {
        int run() throws Throwable;
    }

    /** The one place, with the hot calls', where invokeExact's {@code throws Throwable} is dealt with. */
    private static int call(Call call) {
        try {
            return call.run();
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

    /** The {@code CUresult}'s name from the driver, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    String errorName(int result) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(ADDRESS);
            if (call(() -> (int) driver.cuGetErrorName().invokeExact(result, name)) != SUCCESS) {
                return "CUresult " + result;
            }
            MemorySegment text = name.get(ADDRESS, 0);
            return text.equals(MemorySegment.NULL) ? "CUresult " + result : cString(text);
        }
    }

    @SuppressWarnings("restricted") // the driver returns a pointer to a static, NUL-terminated name
    private static String cString(MemorySegment pointer) {
        return pointer.reinterpret(256).getString(0);
    }

    CudaException failure(int result, String call, String doing) {
        return new CudaException(call, result, errorName(result), doing);
    }

    void check(int result, String call, String doing) {
        if (result != SUCCESS) {
            throw failure(result, call, doing);
        }
    }

    void init() {
        check(call(() -> (int) driver.cuInit().invokeExact(0)), "cuInit", "");
    }

    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            check(call(() -> (int) driver.cuDeviceGetCount().invokeExact(count)), "cuDeviceGetCount", "");
            return count.get(JAVA_INT, 0);
        }
    }

    /** The {@code CUdevice} of an ordinal. */
    int device(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment device = arena.allocate(JAVA_INT);
            check(call(() -> (int) driver.cuDeviceGet().invokeExact(device, ordinal)), "cuDeviceGet", "for device " + ordinal);
            return device.get(JAVA_INT, 0);
        }
    }

    String deviceName(int device, int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            check(call(() -> (int) driver.cuDeviceGetName().invokeExact(name, 256, device)), "cuDeviceGetName", "for device " + ordinal);
            return name.getString(0);
        }
    }

    MemorySegment retainPrimaryContext(int device, int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment context = arena.allocate(ADDRESS);
            check(call(() -> (int) driver.cuDevicePrimaryCtxRetain().invokeExact(context, device)), "cuDevicePrimaryCtxRetain",
                    "for device " + ordinal);
            return context.get(ADDRESS, 0);
        }
    }

    void releasePrimaryContext(int device, int ordinal) {
        check(call(() -> (int) driver.cuDevicePrimaryCtxRelease().invokeExact(device)), "cuDevicePrimaryCtxRelease_v2", "for device " + ordinal);
    }

    /** Makes {@code context} current on the calling thread (each thread has its own current context). */
    void setCurrent(MemorySegment context, int ordinal) {
        int result;
        try {
            result = (int) driver.cuCtxSetCurrent().invokeExact(context);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        if (result != SUCCESS) {
            throw failure(result, "cuCtxSetCurrent", "for device " + ordinal);
        }
    }

    /** Free and total device memory of the current context's device, in bytes. */
    long[] memoryInfo() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            check(call(() -> (int) driver.cuMemGetInfo().invokeExact(free, total)), "cuMemGetInfo_v2", "");
            return new long[]{free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        }
    }

    long allocate(long bytes, String doing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            check(call(() -> (int) driver.cuMemAlloc().invokeExact(pointer, bytes)), "cuMemAlloc_v2", doing);
            return pointer.get(JAVA_LONG, 0);
        }
    }

    void free(long devicePointer, String doing) {
        check(call(() -> (int) driver.cuMemFree().invokeExact(devicePointer)), "cuMemFree_v2", doing);
    }

    /** Registers a host region; returns the {@code CUresult} so the caller can try other flags. */
    int tryRegister(MemorySegment region, int flags) {
        return call(() -> (int) driver.cuMemHostRegister().invokeExact(region, region.byteSize(), flags));
    }

    void unregister(MemorySegment region, String doing) {
        check(call(() -> (int) driver.cuMemHostUnregister().invokeExact(region)), "cuMemHostUnregister", doing);
    }

    void copyToDevice(long device, MemorySegment host, String doing) {
        check(call(() -> (int) driver.cuMemcpyHtoD().invokeExact(device, host, host.byteSize())), "cuMemcpyHtoD_v2", doing);
    }

    /** Queues a copy on {@code stream}; on failure the message names the offset and the device ordinal. */
    void copyToDeviceAsync(long device, MemorySegment host, MemorySegment stream, long offset, int ordinal) {
        int result;
        try {
            result = (int) driver.cuMemcpyHtoDAsync().invokeExact(device, host, host.byteSize(), stream);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        if (result != SUCCESS) {
            throw failure(result, "cuMemcpyHtoDAsync_v2", "copying " + host.byteSize() + " bytes to offset " + offset + " on device " + ordinal);
        }
    }

    void copyToHost(MemorySegment host, long device, String doing) {
        check(call(() -> (int) driver.cuMemcpyDtoH().invokeExact(host, device, host.byteSize())), "cuMemcpyDtoH_v2", doing);
    }

    MemorySegment createStream(String doing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = arena.allocate(ADDRESS);
            check(call(() -> (int) driver.cuStreamCreate().invokeExact(stream, STREAM_NON_BLOCKING)), "cuStreamCreate", doing);
            return stream.get(ADDRESS, 0);
        }
    }

    void synchronize(MemorySegment stream, String doing) {
        check(call(() -> (int) driver.cuStreamSynchronize().invokeExact(stream)), "cuStreamSynchronize", doing);
    }

    void destroyStream(MemorySegment stream, String doing) {
        check(call(() -> (int) driver.cuStreamDestroy().invokeExact(stream)), "cuStreamDestroy_v2", doing);
    }

    MemorySegment createEvent(String doing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            check(call(() -> (int) driver.cuEventCreate().invokeExact(event, EVENT_DISABLE_TIMING)), "cuEventCreate", doing);
            return event.get(ADDRESS, 0);
        }
    }

    void record(MemorySegment event, MemorySegment stream, int lane, int ordinal) {
        int result;
        try {
            result = (int) driver.cuEventRecord().invokeExact(event, stream);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        if (result != SUCCESS) {
            throw failure(result, "cuEventRecord", "for lane " + lane + " on device " + ordinal);
        }
    }

    void synchronizeEvent(MemorySegment event, int lane, int ordinal) {
        int result;
        try {
            result = (int) driver.cuEventSynchronize().invokeExact(event);
        } catch (Throwable t) {
            throw unchecked(t);
        }
        if (result != SUCCESS) {
            throw failure(result, "cuEventSynchronize", "for lane " + lane + " on device " + ordinal);
        }
    }

    void destroyEvent(MemorySegment event, String doing) {
        check(call(() -> (int) driver.cuEventDestroy().invokeExact(event)), "cuEventDestroy_v2", doing);
    }

    byte[] ipcHandle(long devicePointer, String doing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = arena.allocate(CudaDriver.IPC_HANDLE);
            check(call(() -> (int) driver.cuIpcGetMemHandle().invokeExact(handle, devicePointer)), "cuIpcGetMemHandle", doing);
            return handle.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    long openIpcHandle(byte[] handle, String doing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(CudaDriver.IPC_HANDLE);
            value.copyFrom(MemorySegment.ofArray(handle));
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            check(call(() -> (int) driver.cuIpcOpenMemHandle().invokeExact(pointer, value, IPC_MEM_LAZY_ENABLE_PEER_ACCESS)),
                    "cuIpcOpenMemHandle_v2", doing);
            return pointer.get(JAVA_LONG, 0);
        }
    }

    void closeIpcHandle(long devicePointer, String doing) {
        check(call(() -> (int) driver.cuIpcCloseMemHandle().invokeExact(devicePointer)), "cuIpcCloseMemHandle", doing);
    }
}
