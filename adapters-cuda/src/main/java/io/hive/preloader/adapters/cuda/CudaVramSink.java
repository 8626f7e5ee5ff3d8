package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.model.ByteSize;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Cleanup;
import io.hive.preloader.core.port.DeviceCopy;
import io.hive.preloader.core.port.DeviceWriter;
import io.hive.preloader.core.port.HostRegistration;
import io.hive.preloader.core.port.VramSink;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link VramSink} over the CUDA driver API ({@code libcuda.so.1}, through FFM). Each device is used through its
 * primary context, retained on first use and released by {@link #close}. It pins host regions with
 * {@code cuMemHostRegister_v2} (read-only, portable to every context), receives chunks through asynchronous
 * copies on a stream, reads copies back with {@code cuMemcpyDtoH_v2}, and exports each copy as a CUDA IPC handle
 * ({@link DeviceCopy#handle()}) that another process opens with {@link #openIpc}.
 *
 * <p>Make one with {@link #open()}; where the driver is missing, {@link #probe()} says why in one line.
 */
public final class CudaVramSink implements VramSink {
    private static final System.Logger LOG = System.getLogger(CudaVramSink.class.getName());

    private final Cuda cuda;
    private final int deviceCount;
    private final Map<Integer, CudaDevice> devices = new ConcurrentHashMap<>();
    private final Set<String> refusalsReported = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Whether a CUDA sink can be made here: the driver loaded, initialised, and saw a device. */
    public record Availability(boolean available, String reason, int devices) {
    }

    private CudaVramSink(Cuda cuda, int deviceCount) {
        this.cuda = cuda;
        this.deviceCount = deviceCount;
    }

    /** Looks for the driver and its devices without keeping anything. */
    public static Availability probe() {
        return CudaDriver.unavailable().map(why -> new Availability(false, why, 0)).orElseGet(() -> probe(CudaDriver.LIBCUDA));
    }

    static Availability probe(CudaDriver driver) {
        try {
            Cuda cuda = new Cuda(driver);
            cuda.init();
            int count = cuda.deviceCount();
            return count > 0 ? new Availability(true, count + " CUDA device" + (count == 1 ? "" : "s"), count)
                    : new Availability(false, "the driver sees no CUDA device", 0);
        } catch (CudaException e) {
            return new Availability(false, e.getMessage(), 0);
        }
    }

    /**
     * The sink over {@code libcuda.so.1}.
     *
     * @throws CudaUnavailableException saying in one line why there is no CUDA here
     */
    public static CudaVramSink open() {
        CudaDriver.unavailable().ifPresent(why -> {
            throw new CudaUnavailableException(why);
        });
        return open(CudaDriver.LIBCUDA);
    }

    static CudaVramSink open(CudaDriver driver) {
        Availability availability = probe(driver);
        if (!availability.available()) {
            throw new CudaUnavailableException(availability.reason());
        }
        return new CudaVramSink(new Cuda(driver), availability.devices());
    }

    @Override
    public String name() {
        return "cuda";
    }

    public int deviceCount() {
        return deviceCount;
    }

    /** The device's name as the driver reports it, e.g. {@code NVIDIA H100 PCIe}. */
    public String deviceName(int ordinal) {
        return device(ordinal).name();
    }

    /** The device with this ordinal, its primary context retained on first use. */
    CudaDevice device(int ordinal) {
        if (closed) {
            throw new IllegalStateException("the CUDA sink is closed");
        }
        if (ordinal < 0 || ordinal >= deviceCount) {
            throw new IllegalArgumentException("device " + ordinal + " does not exist: this machine has " + deviceCount
                    + " CUDA device" + (deviceCount == 1 ? "" : "s") + ", numbered from 0");
        }
        return devices.computeIfAbsent(ordinal, this::retain);
    }

    private CudaDevice retain(int ordinal) {
        int handle = cuda.device(ordinal);
        String name = cuda.deviceName(handle, ordinal);
        MemorySegment context = cuda.retainPrimaryContext(handle, ordinal);
        return new CudaDevice(cuda, ordinal, handle, name, context);
    }

    Cuda cuda() {
        return cuda;
    }

    /** Copies the whole source with one {@code cuMemcpyHtoD_v2}; pinned sources copy at the link's speed. */
    @Override
    public DeviceCopy copy(ModelId model, MemorySegment source, int ordinal) {
        Objects.requireNonNull(model, "model");
        CudaDevice device = device(ordinal);
        long size = source.byteSize();
        if (size == 0) {
            return new CudaDeviceCopy(device, model, 0, 0, Duration.ZERO);
        }
        if (!source.isNative()) {
            throw new IllegalArgumentException("the CUDA sink copies from native memory only");
        }
        String doing = model + " (" + ByteSize.format(size) + ") to device " + ordinal;
        device.makeCurrent();
        long pointer = cuda.allocate(size, "allocating " + doing);
        try {
            long start = System.nanoTime();
            cuda.copyToDevice(pointer, source, "copying " + doing);
            return new CudaDeviceCopy(device, model, pointer, size, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException failure) {
            try {
                cuda.free(pointer, "freeing " + doing + " after a failed copy");
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    /**
     * Page-locks the region with {@code cuMemHostRegister_v2}, portable to every context and read-only (the flag a
     * read-only page-cache mapping needs), or without read-only where the device does not support it. Empty when
     * the driver refuses; the first refusal of each kind is logged with the driver's reason.
     */
    @Override
    public Optional<HostRegistration> register(MemorySegment region, int ordinal) {
        if (region.byteSize() == 0) {
            return Optional.of(HostRegistration.unneeded(region));
        }
        if (!region.isNative()) {
            return Optional.empty();
        }
        CudaDevice device = device(ordinal);
        device.makeCurrent();
        int flags = Cuda.MEMHOSTREGISTER_PORTABLE | Cuda.MEMHOSTREGISTER_READ_ONLY;
        int result = cuda.tryRegister(region, flags);
        if (result == Cuda.ERROR_NOT_SUPPORTED || result == Cuda.ERROR_INVALID_VALUE) {
            flags = Cuda.MEMHOSTREGISTER_PORTABLE;
            result = cuda.tryRegister(region, flags);
        }
        if (result != Cuda.SUCCESS) {
            CudaException refusal = cuda.failure(result, "cuMemHostRegister_v2", "of " + ByteSize.format(region.byteSize()));
            if (refusalsReported.add(refusal.errorName())) {
                LOG.log(System.Logger.Level.INFO, "cannot pin host memory for device {0}, staging instead: {1}", ordinal, refusal.getMessage());
            }
            return Optional.empty();
        }
        return Optional.of(new CudaRegistration(device, region, flags));
    }

    @Override
    public boolean receivesChunks() {
        return true;
    }

    @Override
    public DeviceWriter allocate(ModelId model, long bytes, int ordinal, int lanes) {
        Objects.requireNonNull(model, "model");
        return CudaDeviceWriter.open(device(ordinal), model, bytes, lanes);
    }

    /** Opens a device copy exported by another process (its {@link DeviceCopy#handle()}). */
    public IpcMapping openIpc(CudaIpcHandle handle) {
        CudaDevice device = device(handle.device());
        device.makeCurrent();
        long pointer = handle.bytes() == 0 ? 0 : cuda.openIpcHandle(handle.handle(), "on device " + handle.device());
        return new IpcMapping(device, handle, pointer);
    }

    /** Free and total memory of a device, in bytes. */
    public long[] memoryInfo(int ordinal) {
        device(ordinal).makeCurrent();
        return cuda.memoryInfo();
    }

    /**
     * Releases the primary contexts this sink retained. A device's primary context is destroyed with its last
     * release, and with it every allocation made in it: close the device copies first.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Cleanup.runAll(devices.values().stream()
                    .<Runnable>map(device -> () -> cuda.releasePrimaryContext(device.handle(), device.ordinal())).toList());
        } finally {
            devices.clear();
        }
    }

    @Override
    public String toString() {
        return "CUDA sink over " + deviceCount + " device" + (deviceCount == 1 ? "" : "s");
    }
}
