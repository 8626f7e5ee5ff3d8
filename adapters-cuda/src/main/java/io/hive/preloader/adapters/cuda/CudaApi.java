package io.hive.preloader.adapters.cuda;

import java.lang.foreign.MemorySegment;

/**
 * The CUDA driver calls this adapter makes, shaped exactly like their C prototypes: each returns its
 * {@code CUresult} (0 is {@code CUDA_SUCCESS}) and writes its results through the out-parameter segments it is
 * given. {@link CudaDriver} binds them to {@code libcuda.so.1}; tests implement them with a fake device. Opaque
 * handles ({@code CUcontext}, {@code CUstream}, {@code CUevent}) are zero-length segments holding the address;
 * a {@code CUdeviceptr} is a {@code long}. Nothing here checks a result: {@link Cuda} does.
 */
interface CudaApi {

    int cuInit(int flags);

    int cuDeviceGetCount(MemorySegment count);

    int cuDeviceGet(MemorySegment device, int ordinal);

    int cuDeviceGetName(MemorySegment name, int length, int device);

    int cuDevicePrimaryCtxRetain(MemorySegment context, int device);

    int cuDevicePrimaryCtxRelease(int device);

    int cuCtxSetCurrent(MemorySegment context);

    int cuMemGetInfo(MemorySegment free, MemorySegment total);

    int cuMemAlloc(MemorySegment devicePointer, long bytes);

    int cuMemFree(long devicePointer);

    int cuMemHostRegister(MemorySegment host, long bytes, int flags);

    int cuMemHostUnregister(MemorySegment host);

    int cuMemcpyHtoD(long device, MemorySegment host, long bytes);

    int cuMemcpyHtoDAsync(long device, MemorySegment host, long bytes, MemorySegment stream);

    int cuMemcpyDtoH(MemorySegment host, long device, long bytes);

    int cuStreamCreate(MemorySegment stream, int flags);

    int cuStreamSynchronize(MemorySegment stream);

    int cuStreamDestroy(MemorySegment stream);

    int cuEventCreate(MemorySegment event, int flags);

    int cuEventRecord(MemorySegment event, MemorySegment stream);

    int cuEventSynchronize(MemorySegment event);

    int cuEventDestroy(MemorySegment event);

    /** Writes the 64-byte {@code CUipcMemHandle} of an allocation into {@code handle}. */
    int cuIpcGetMemHandle(MemorySegment handle, long devicePointer);

    /** {@code handle} is the 64-byte {@code CUipcMemHandle}, passed by value. */
    int cuIpcOpenMemHandle(MemorySegment devicePointer, MemorySegment handle, int flags);

    int cuIpcCloseMemHandle(long devicePointer);

    /** Writes a pointer to the error's static name ({@code CUDA_ERROR_...}) into {@code name}, or NULL. */
    int cuGetErrorName(int error, MemorySegment name);
}
