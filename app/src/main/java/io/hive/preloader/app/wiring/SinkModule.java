package io.hive.preloader.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.hive.preloader.adapters.hostsink.HostMemorySink;
import io.hive.preloader.adapters.cuda.CudaUnavailableException;
import io.hive.preloader.adapters.cuda.CudaVramSink;
import io.hive.preloader.app.config.PreloaderConfig;
import io.hive.preloader.core.cache.ByteBudget;
import io.hive.preloader.core.port.HostMemory;
import io.hive.preloader.core.port.VramSink;

/**
 * Binds the {@link VramSink}: {@code sink: host}, the host-memory stand-in for a device, or {@code sink: cuda}, the
 * GPU through the CUDA driver, which falls back to the host sink, saying why in one line, where there is no driver
 * or no device. The configured {@code device} must exist. The host sink's copies are bounded by
 * {@code host_sink_limit}, a share of RAM or a size.
 */
final class SinkModule extends AbstractModule {
    private static final System.Logger LOG = System.getLogger(SinkModule.class.getName());

    @Provides
    @Singleton
    VramSink sink(PreloaderConfig config, HostMemory hostMemory) {
        return of(config, hostMemory);
    }

    static VramSink of(PreloaderConfig config, HostMemory hostMemory) {
        HostMemorySink host = new HostMemorySink(ByteBudget.parse(config.hostSinkLimit(), hostMemory.totalBytes()).bytes());
        return switch (config.sink()) {
            case HOST -> host;
            case CUDA -> cudaOr(host, config.device());
        };
    }

    static VramSink cudaOr(HostMemorySink host, int device) {
        CudaVramSink cuda;
        try {
            cuda = CudaVramSink.open();
        } catch (CudaUnavailableException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; using the host sink");
            return host;
        }
        if (device >= cuda.deviceCount()) {
            cuda.close();
            throw new IllegalArgumentException("device: " + device + " does not exist: this machine has " + cuda.deviceCount()
                    + " CUDA device" + (cuda.deviceCount() == 1 ? "" : "s") + ", numbered from 0");
        }
        LOG.log(System.Logger.Level.INFO, "CUDA sink on device {0}: {1}", device, cuda.deviceName(device));
        return cuda;
    }
}
