package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.port.StoreException;

/** A CUDA driver call returned an error: the message names the call, the error and what was being done. */
public final class CudaException extends StoreException {
    private final String call;
    private final int result;
    private final String errorName;

    CudaException(String call, int result, String errorName, String doing) {
        super(call + " failed: " + errorName + " (" + result + ")" + (doing.isEmpty() ? "" : " " + doing));
        this.call = call;
        this.result = result;
        this.errorName = errorName;
    }

    /** The driver entry point, e.g. {@code cuMemAlloc_v2}. */
    public String call() {
        return call;
    }

    /** The {@code CUresult}. */
    public int result() {
        return result;
    }

    /** The {@code CUresult}'s name, e.g. {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String errorName() {
        return errorName;
    }
}
