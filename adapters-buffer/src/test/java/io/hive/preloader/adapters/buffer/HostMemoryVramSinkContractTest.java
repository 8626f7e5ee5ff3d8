package io.hive.preloader.adapters.buffer;

import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.port.VramSinkContract;

/** The host sink receives chunks as every chunk-receiving sink must. */
class HostMemoryVramSinkContractTest extends VramSinkContract {
    @Override
    protected VramSink newSink() {
        return new HostMemoryVramSink();
    }
}
