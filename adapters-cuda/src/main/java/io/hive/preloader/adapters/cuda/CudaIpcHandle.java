package io.hive.preloader.adapters.cuda;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What another process needs to open a device copy: the device, the size, and the 64-byte {@code CUipcMemHandle}
 * that {@code cuIpcGetMemHandle} made. Written as {@code cuda-ipc:DEVICE:BYTES:HEX} (128 hex digits), which is
 * what {@link io.hive.preloader.core.port.DeviceCopy#handle()} returns for a CUDA copy. The other process passes
 * it to {@link CudaVramSink#openIpc} (or {@code cuIpcOpenMemHandle} in C) on the same device.
 */
public record CudaIpcHandle(int device, long bytes, byte[] handle) {
    private static final String PREFIX = "cuda-ipc:";
    private static final HexFormat HEX = HexFormat.of();

    public CudaIpcHandle {
        Objects.requireNonNull(handle, "handle");
        if (handle.length != Cuda.IPC_HANDLE_BYTES) {
            throw new IllegalArgumentException("a CUDA IPC handle has " + Cuda.IPC_HANDLE_BYTES + " bytes, not " + handle.length);
        }
        if (device < 0 || bytes < 0) {
            throw new IllegalArgumentException("device " + device + " and size " + bytes + " must not be negative");
        }
        handle = handle.clone();
    }

    @Override
    public byte[] handle() {
        return handle.clone();
    }

    /** Reads {@code cuda-ipc:DEVICE:BYTES:HEX}. */
    public static CudaIpcHandle parse(String text) {
        String[] parts = text.strip().split(":", -1);
        if (parts.length != 4 || !text.strip().startsWith(PREFIX) || parts[3].length() != 2 * Cuda.IPC_HANDLE_BYTES) {
            throw new IllegalArgumentException("'" + text + "' is not a CUDA IPC handle: expected cuda-ipc:DEVICE:BYTES:"
                    + 2 * Cuda.IPC_HANDLE_BYTES + " hex digits");
        }
        try {
            return new CudaIpcHandle(Integer.parseInt(parts[1]), Long.parseLong(parts[2]), HEX.parseHex(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CUDA IPC handle: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return PREFIX + device + ":" + bytes + ":" + HEX.formatHex(handle);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CudaIpcHandle other && device == other.device && bytes == other.bytes && Arrays.equals(handle, other.handle);
    }

    @Override
    public int hashCode() {
        return Objects.hash(device, bytes, Arrays.hashCode(handle));
    }
}
