/*
 * A stand-in for libcuda.so.1 with the same entry points and C prototypes, over host memory, for checking the FFM
 * binding layer (argument types, out-parameters, the 64-byte IPC handle passed by value, error names) on machines
 * without a GPU. Each entry point also checks the flags the sink is expected to pass, and fails with
 * CUDA_ERROR_INVALID_VALUE when they differ. FAKECUDA_FAIL=<entry point> makes that entry point fail with
 * CUDA_ERROR_OUT_OF_MEMORY. Built by CudaDriverAbiTest: cc -shared -fPIC -o libstubcuda.so stubcuda.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUstream;
typedef void *CUevent;
typedef unsigned long long CUdeviceptr;
typedef struct CUipcMemHandle_st { char reserved[64]; } CUipcMemHandle;

#define SUCCESS 0
#define INVALID_VALUE 1
#define OUT_OF_MEMORY 2
#define INVALID_CONTEXT 201
#define INVALID_HANDLE 400
#define NOT_REGISTERED 713

static __thread CUcontext current;
static char stream_token;
static void *registered;
static size_t registered_bytes;

static int failing(const char *call) {
    const char *f = getenv("FAKECUDA_FAIL");
    return f != NULL && strcmp(f, call) == 0;
}

#define ENTER(call) do { if (failing(call)) return OUT_OF_MEMORY; if (current == NULL) return INVALID_CONTEXT; } while (0)

CUresult cuInit(unsigned int flags) { return flags == 0 ? SUCCESS : INVALID_VALUE; }
CUresult cuDeviceGetCount(int *count) { *count = 2; return SUCCESS; }
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    if (ordinal < 0 || ordinal > 1) return 101;
    *device = ordinal + 10; /* a handle that differs from the ordinal, as the driver's may */
    return SUCCESS;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice dev) { snprintf(name, (size_t) len, "Stub GPU %d", dev); return SUCCESS; }
CUresult cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) {
    if (dev < 10 || dev > 11) return 101;
    *pctx = (CUcontext) (uintptr_t) (0xC0DE0000u + (unsigned) dev);
    return SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) { return dev == 10 || dev == 11 ? SUCCESS : 101; }
CUresult cuCtxSetCurrent(CUcontext ctx) {
    uintptr_t v = (uintptr_t) ctx;
    if (v != 0xC0DE000Au && v != 0xC0DE000Bu) return INVALID_CONTEXT;
    current = ctx;
    return SUCCESS;
}
CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) { ENTER("cuMemGetInfo_v2"); *free_bytes = 3; *total = 5; return SUCCESS; }
CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytesize) {
    ENTER("cuMemAlloc_v2");
    void *m = malloc(bytesize);
    if (m == NULL) return OUT_OF_MEMORY;
    *dptr = (CUdeviceptr) (uintptr_t) m;
    return SUCCESS;
}
CUresult cuMemFree_v2(CUdeviceptr dptr) { ENTER("cuMemFree_v2"); free((void *) (uintptr_t) dptr); return SUCCESS; }
CUresult cuMemAllocHost_v2(void **pp, size_t bytesize) { ENTER("cuMemAllocHost_v2"); *pp = malloc(bytesize); return *pp ? SUCCESS : OUT_OF_MEMORY; }
CUresult cuMemFreeHost(void *p) { ENTER("cuMemFreeHost"); free(p); return SUCCESS; }
CUresult cuMemHostRegister_v2(void *p, size_t bytesize, unsigned int flags) {
    ENTER("cuMemHostRegister_v2");
    if (flags != (0x01u | 0x08u) || p == NULL || bytesize == 0 || registered != NULL) return INVALID_VALUE;
    registered = p;
    registered_bytes = bytesize;
    return SUCCESS;
}
CUresult cuMemHostUnregister(void *p) {
    ENTER("cuMemHostUnregister");
    if (p != registered) return NOT_REGISTERED;
    registered = NULL;
    return SUCCESS;
}
CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) { ENTER("cuMemcpyHtoD_v2"); memcpy((void *) (uintptr_t) dst, src, n); return SUCCESS; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
    ENTER("cuMemcpyHtoDAsync_v2");
    if (s != &stream_token) return INVALID_HANDLE;
    memcpy((void *) (uintptr_t) dst, src, n);
    return SUCCESS;
}
CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) { ENTER("cuMemcpyDtoH_v2"); memcpy(dst, (void *) (uintptr_t) src, n); return SUCCESS; }
CUresult cuStreamCreate(CUstream *s, unsigned int flags) { ENTER("cuStreamCreate"); if (flags != 1) return INVALID_VALUE; *s = &stream_token; return SUCCESS; }
CUresult cuStreamSynchronize(CUstream s) { ENTER("cuStreamSynchronize"); return s == &stream_token ? SUCCESS : INVALID_HANDLE; }
CUresult cuStreamDestroy_v2(CUstream s) { ENTER("cuStreamDestroy_v2"); return s == &stream_token ? SUCCESS : INVALID_HANDLE; }
CUresult cuEventCreate(CUevent *e, unsigned int flags) { ENTER("cuEventCreate"); if (flags != 2) return INVALID_VALUE; *e = malloc(8); return SUCCESS; }
CUresult cuEventRecord(CUevent e, CUstream s) { ENTER("cuEventRecord"); return e != NULL && s == &stream_token ? SUCCESS : INVALID_HANDLE; }
CUresult cuEventSynchronize(CUevent e) { ENTER("cuEventSynchronize"); return e != NULL ? SUCCESS : INVALID_HANDLE; }
CUresult cuEventDestroy_v2(CUevent e) { ENTER("cuEventDestroy_v2"); free(e); return SUCCESS; }
CUresult cuIpcGetMemHandle(CUipcMemHandle *h, CUdeviceptr dptr) {
    ENTER("cuIpcGetMemHandle");
    memset(h->reserved, 0, sizeof h->reserved);
    memcpy(h->reserved, "STUBIPC", 7);
    memcpy(h->reserved + 8, &dptr, sizeof dptr);
    h->reserved[63] = 0x5A;
    return SUCCESS;
}
CUresult cuIpcOpenMemHandle_v2(CUdeviceptr *pdptr, CUipcMemHandle handle, unsigned int flags) {
    ENTER("cuIpcOpenMemHandle_v2");
    if (memcmp(handle.reserved, "STUBIPC", 7) != 0 || handle.reserved[63] != 0x5A || flags != 1) return INVALID_VALUE;
    memcpy(pdptr, handle.reserved + 8, sizeof *pdptr);
    return SUCCESS;
}
CUresult cuIpcCloseMemHandle(CUdeviceptr dptr) { ENTER("cuIpcCloseMemHandle"); return dptr ? SUCCESS : INVALID_VALUE; }
CUresult cuGetErrorName(CUresult error, const char **pStr) {
    switch (error) {
        case SUCCESS: *pStr = "CUDA_SUCCESS"; return SUCCESS;
        case INVALID_VALUE: *pStr = "CUDA_ERROR_INVALID_VALUE"; return SUCCESS;
        case OUT_OF_MEMORY: *pStr = "CUDA_ERROR_OUT_OF_MEMORY"; return SUCCESS;
        case INVALID_CONTEXT: *pStr = "CUDA_ERROR_INVALID_CONTEXT"; return SUCCESS;
        default: *pStr = NULL; return INVALID_VALUE;
    }
}
