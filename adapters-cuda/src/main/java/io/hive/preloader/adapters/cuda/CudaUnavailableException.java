package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.port.StoreException;

/** No CUDA sink can be made on this machine; the message says why, on one line. */
public final class CudaUnavailableException extends StoreException {
    CudaUnavailableException(String reason) {
        super("CUDA sink unavailable: " + reason);
    }
}
