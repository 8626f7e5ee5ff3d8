package io.hive.preloader.adapters.cuda;

import java.lang.foreign.MemorySegment;

/**
 * One GPU and its primary context, retained once by the sink. The driver keeps a current context per thread, and
 * a transfer's calls come from several threads (the caller, the pipeline's stages), so every entry point makes the
 * device's context current on its own thread first; {@code cuCtxSetCurrent} of the context already current is
 * cheap.
 */
record CudaDevice(Cuda cuda, int ordinal, int handle, String name, MemorySegment context) {

    void makeCurrent() {
        cuda.setCurrent(context, ordinal);
    }
}
