package io.hive.preloader.adapters.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A CUDA driver in host memory that behaves like the real one where it matters to the sink: device memory is a
 * native allocation behind a fake device address; an asynchronous copy runs only when an event recorded after it,
 * or its stream, is synchronised (so host memory reused too early sends wrong bytes); calls need a current
 * context on the calling thread; registrations must not overlap and must be undone at the same address. Any call
 * can be told to fail; {@link #leaks()} lists what is still held and {@link #misuse()} what was done wrong. Its
 * {@code cu…} methods have the shapes of the driver's handles: {@link #table()} is this fake as {@link CudaDriver}.
 */
final class FakeCuda {
    static final int NOT_INITIALIZED = 3;
    static final int INVALID_DEVICE = 101;
    static final int INVALID_CONTEXT = 201;
    static final int INVALID_HANDLE = 400;
    static final int ALREADY_REGISTERED = 712;
    static final int NOT_REGISTERED = 713;
    static final Map<Integer, String> NAMES = Map.of(
            0, "CUDA_SUCCESS", 1, "CUDA_ERROR_INVALID_VALUE", 2, "CUDA_ERROR_OUT_OF_MEMORY", NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED",
            100, "CUDA_ERROR_NO_DEVICE", INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT",
            INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", ALREADY_REGISTERED, "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED",
            NOT_REGISTERED, "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED");
    private static final Map<Integer, MemorySegment> C_NAMES = new HashMap<>();

    static {
        Map<Integer, String> all = new HashMap<>(NAMES);
        all.put(801, "CUDA_ERROR_NOT_SUPPORTED");
        all.put(700, "CUDA_ERROR_ILLEGAL_ADDRESS");
        all.forEach((code, name) -> C_NAMES.put(code, Arena.global().allocateFrom(name)));
    }

    private record Allocation(Arena arena, MemorySegment memory) {
    }

    private static final class Stream {
        final List<Runnable> queued = new ArrayList<>();
        int ran;
    }

    private record EventMark(Stream stream, int position) {
    }

    private final int deviceCount;
    private final long capacity;
    private final TreeMap<Long, Allocation> allocations = new TreeMap<>();
    private final TreeMap<Long, Long> registrations = new TreeMap<>();
    private final Map<Long, Integer> registrationFlags = new HashMap<>();
    private final Map<Long, Stream> streams = new HashMap<>();
    private final Map<Long, EventMark> events = new HashMap<>();
    private final Set<Long> unrecordedEvents = new HashSet<>();
    private final Map<Long, Integer> ipcOpened = new HashMap<>();
    private final int[] retained;
    private final Map<String, int[]> failures = new HashMap<>();
    private final Map<String, Integer> calls = new HashMap<>();
    private final List<String> misuse = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Long> current = new ThreadLocal<>();
    private boolean initialized;
    private boolean readOnlyRegistration = true;
    private int refuseRegistration;
    private long nextAddress = 0x7f00_0000_0000L;
    private long nextHandle = 0x5000;

    FakeCuda(int deviceCount, long capacity) {
        this.deviceCount = deviceCount;
        this.capacity = capacity;
        this.retained = new int[deviceCount];
    }

    FakeCuda() {
        this(2, 1L << 30);
    }

    // --- what a test sets up and looks at ---

    /** This fake as the driver's table: each handle calls the method here named as the table's component. */
    CudaDriver table() {
        try {
            RecordComponent[] components = CudaDriver.class.getRecordComponents();
            Object[] handles = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                String name = components[i].getName();
                Method method = Arrays.stream(FakeCuda.class.getMethods()).filter(m -> m.getName().equals(name)).findFirst()
                        .orElseThrow(() -> new AssertionError("FakeCuda has no " + name));
                handles[i] = MethodHandles.lookup().unreflect(method).bindTo(this);
            }
            return (CudaDriver) CudaDriver.class.getDeclaredConstructors()[0].newInstance(handles);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot bind FakeCuda as the driver's table", e);
        }
    }


    /** The {@code nth} call of {@code call} from now (1 = the next) returns {@code result}. */
    synchronized FakeCuda fail(String call, int result, int nth) {
        failures.put(call, new int[]{nth, result});
        return this;
    }

    synchronized FakeCuda fail(String call, int result) {
        return fail(call, result, 1);
    }

    /** Registrations with {@code CU_MEMHOSTREGISTER_READ_ONLY} are refused with NOT_SUPPORTED, as on older devices. */
    synchronized FakeCuda withoutReadOnlyRegistration() {
        readOnlyRegistration = false;
        return this;
    }

    /** Every registration is refused with this result. */
    synchronized FakeCuda refuseRegistrations(int result) {
        refuseRegistration = result;
        return this;
    }

    synchronized int calls(String call) {
        return calls.getOrDefault(call, 0);
    }

    synchronized int liveAllocations() {
        return allocations.size();
    }

    synchronized int liveRegistrations() {
        return registrations.size();
    }

    synchronized Integer registrationFlags(MemorySegment region) {
        return registrationFlags.get(region.address());
    }

    synchronized int retainedContexts() {
        int n = 0;
        for (int r : retained) {
            n += r;
        }
        return n;
    }

    /** What is still held, context retains aside (the sink keeps those until it is closed). */
    synchronized List<String> leaks() {
        List<String> leaks = new ArrayList<>();
        allocations.forEach((address, a) -> leaks.add("device memory at 0x" + Long.toHexString(address) + " (" + a.memory().byteSize() + " bytes)"));
        registrations.forEach((address, size) -> leaks.add("registration at 0x" + Long.toHexString(address) + " (" + size + " bytes)"));
        streams.keySet().forEach(s -> leaks.add("stream 0x" + Long.toHexString(s)));
        events.keySet().forEach(e -> leaks.add("event 0x" + Long.toHexString(e)));
        unrecordedEvents.forEach(e -> leaks.add("event 0x" + Long.toHexString(e)));
        ipcOpened.forEach((address, n) -> leaks.add(n + " IPC mapping(s) of 0x" + Long.toHexString(address)));
        return leaks;
    }

    List<String> misuse() {
        return List.copyOf(misuse);
    }

    // --- the driver ---

    /** Counts the call and returns the result a test asked for, or 0. */
    private int enter(String call) {
        calls.merge(call, 1, Integer::sum);
        int[] failure = failures.get(call);
        if (failure != null && --failure[0] == 0) {
            failures.remove(call);
            return failure[1];
        }
        return 0;
    }

    private int enterWithContext(String call) {
        int injected = enter(call);
        if (injected != 0) {
            return injected;
        }
        if (!initialized) {
            return NOT_INITIALIZED;
        }
        if (current.get() == null) {
            misuse.add(call + " on thread " + Thread.currentThread().getName() + " without a current context");
            return INVALID_CONTEXT;
        }
        return 0;
    }

    /** The device memory at {@code address}, {@code bytes} long, or null when it is not inside one allocation. */
    private MemorySegment device(long address, long bytes) {
        var entry = allocations.floorEntry(address);
        if (entry == null) {
            return null;
        }
        MemorySegment memory = entry.getValue().memory();
        long offset = address - entry.getKey();
        return offset + bytes <= memory.byteSize() ? memory.asSlice(offset, bytes) : null;
    }

    private long handle() {
        return nextHandle += 0x10;
    }

    public synchronized int cuInit(int flags) {
        int r = enter("cuInit");
        if (r == 0) {
            initialized = true;
        }
        return r;
    }

    public synchronized int cuDeviceGetCount(MemorySegment count) {
        int r = enter("cuDeviceGetCount");
        if (r == 0) {
            count.set(JAVA_INT, 0, deviceCount);
        }
        return r;
    }

    public synchronized int cuDeviceGet(MemorySegment device, int ordinal) {
        int r = enter("cuDeviceGet");
        if (r != 0) {
            return r;
        }
        if (ordinal < 0 || ordinal >= deviceCount) {
            return INVALID_DEVICE;
        }
        device.set(JAVA_INT, 0, ordinal);
        return 0;
    }

    public synchronized int cuDeviceGetName(MemorySegment name, int length, int device) {
        int r = enter("cuDeviceGetName");
        if (r == 0) {
            name.setString(0, "Fake GPU " + device);
        }
        return r;
    }

    public synchronized int cuDevicePrimaryCtxRetain(MemorySegment context, int device) {
        int r = enter("cuDevicePrimaryCtxRetain");
        if (r != 0) {
            return r;
        }
        retained[device]++;
        context.set(ADDRESS, 0, MemorySegment.ofAddress(0xC000 + device));
        return 0;
    }

    public synchronized int cuDevicePrimaryCtxRelease(int device) {
        int r = enter("cuDevicePrimaryCtxRelease_v2");
        if (r != 0) {
            return r;
        }
        if (retained[device] == 0) {
            misuse.add("released the primary context of device " + device + " more often than it was retained");
            return INVALID_CONTEXT;
        }
        retained[device]--;
        return 0;
    }

    public synchronized int cuCtxSetCurrent(MemorySegment context) {
        int r = enter("cuCtxSetCurrent");
        if (r != 0) {
            return r;
        }
        int device = (int) (context.address() - 0xC000);
        if (device < 0 || device >= deviceCount || retained[device] == 0) {
            misuse.add("set a context current that is not retained: 0x" + Long.toHexString(context.address()));
            return INVALID_CONTEXT;
        }
        current.set(context.address());
        return 0;
    }

    public synchronized int cuMemGetInfo(MemorySegment free, MemorySegment total) {
        int r = enterWithContext("cuMemGetInfo_v2");
        if (r == 0) {
            free.set(JAVA_LONG, 0, capacity - allocated());
            total.set(JAVA_LONG, 0, capacity);
        }
        return r;
    }

    private long allocated() {
        return allocations.values().stream().mapToLong(a -> a.memory().byteSize()).sum();
    }

    public synchronized int cuMemAlloc(MemorySegment devicePointer, long bytes) {
        int r = enterWithContext("cuMemAlloc_v2");
        if (r != 0) {
            return r;
        }
        if (bytes == 0) {
            return 1;
        }
        if (allocated() + bytes > capacity) {
            return 2;
        }
        Arena arena = Arena.ofShared();
        long address = nextAddress;
        nextAddress += (bytes + 0xFFFF) & ~0xFFFFL;
        allocations.put(address, new Allocation(arena, arena.allocate(bytes, 256)));
        devicePointer.set(JAVA_LONG, 0, address);
        return 0;
    }

    public synchronized int cuMemFree(long devicePointer) {
        int r = enterWithContext("cuMemFree_v2");
        if (r != 0) {
            return r;
        }
        Allocation a = allocations.remove(devicePointer);
        if (a == null) {
            misuse.add("freed 0x" + Long.toHexString(devicePointer) + ", which is not an allocation");
            return 1;
        }
        for (Stream s : streams.values()) {
            run(s, s.queued.size()); // the real driver waits for work on the memory before freeing it
        }
        a.arena().close();
        return 0;
    }

    public synchronized int cuMemHostRegister(MemorySegment host, long bytes, int flags) {
        int r = enterWithContext("cuMemHostRegister_v2");
        if (r != 0) {
            return r;
        }
        if (refuseRegistration != 0) {
            return refuseRegistration;
        }
        if ((flags & Cuda.MEMHOSTREGISTER_READ_ONLY) != 0 && !readOnlyRegistration) {
            return Cuda.ERROR_NOT_SUPPORTED;
        }
        if (bytes == 0) {
            return 1;
        }
        long start = host.address();
        var below = registrations.floorEntry(start + bytes - 1);
        if (below != null && below.getKey() + below.getValue() > start) {
            return ALREADY_REGISTERED;
        }
        registrations.put(start, bytes);
        registrationFlags.put(start, flags);
        return 0;
    }

    public synchronized int cuMemHostUnregister(MemorySegment host) {
        int r = enterWithContext("cuMemHostUnregister");
        if (r != 0) {
            return r;
        }
        if (registrations.remove(host.address()) == null) {
            misuse.add("unregistered 0x" + Long.toHexString(host.address()) + ", which is not registered");
            return NOT_REGISTERED;
        }
        registrationFlags.remove(host.address());
        return 0;
    }

    public synchronized int cuMemcpyHtoD(long device, MemorySegment host, long bytes) {
        int r = enterWithContext("cuMemcpyHtoD_v2");
        if (r != 0) {
            return r;
        }
        MemorySegment target = device(device, bytes);
        if (target == null) {
            return 1;
        }
        MemorySegment.copy(host, 0, target, 0, bytes);
        return 0;
    }

    public synchronized int cuMemcpyHtoDAsync(long device, MemorySegment host, long bytes, MemorySegment stream) {
        int r = enterWithContext("cuMemcpyHtoDAsync_v2");
        if (r != 0) {
            return r;
        }
        Stream s = streams.get(stream.address());
        MemorySegment target = device(device, bytes);
        if (s == null) {
            return INVALID_HANDLE;
        }
        if (target == null) {
            return 1;
        }
        MemorySegment source = host.asSlice(0, bytes);
        s.queued.add(() -> {
            if (!source.scope().isAlive()) {
                misuse.add("an asynchronous copy ran after its host memory was freed");
                return;
            }
            MemorySegment.copy(source, 0, target, 0, bytes);
        });
        return 0;
    }

    private void run(Stream s, int upTo) {
        while (s.ran < upTo) {
            s.queued.get(s.ran++).run();
        }
    }

    public synchronized int cuMemcpyDtoH(MemorySegment host, long device, long bytes) {
        int r = enterWithContext("cuMemcpyDtoH_v2");
        if (r != 0) {
            return r;
        }
        MemorySegment source = device(device, bytes);
        if (source == null) {
            return 1;
        }
        MemorySegment.copy(source, 0, host, 0, bytes);
        return 0;
    }

    public synchronized int cuStreamCreate(MemorySegment stream, int flags) {
        int r = enterWithContext("cuStreamCreate");
        if (r != 0) {
            return r;
        }
        long h = handle();
        streams.put(h, new Stream());
        stream.set(ADDRESS, 0, MemorySegment.ofAddress(h));
        return 0;
    }

    public synchronized int cuStreamSynchronize(MemorySegment stream) {
        int r = enterWithContext("cuStreamSynchronize");
        if (r != 0) {
            return r;
        }
        Stream s = streams.get(stream.address());
        if (s == null) {
            return INVALID_HANDLE;
        }
        run(s, s.queued.size());
        return 0;
    }

    public synchronized int cuStreamDestroy(MemorySegment stream) {
        int r = enterWithContext("cuStreamDestroy_v2");
        if (r != 0) {
            return r;
        }
        Stream s = streams.remove(stream.address());
        if (s == null) {
            return INVALID_HANDLE;
        }
        run(s, s.queued.size()); // the driver finishes a destroyed stream's work
        return 0;
    }

    public synchronized int cuEventCreate(MemorySegment event, int flags) {
        int r = enterWithContext("cuEventCreate");
        if (r != 0) {
            return r;
        }
        long h = handle();
        unrecordedEvents.add(h);
        event.set(ADDRESS, 0, MemorySegment.ofAddress(h));
        return 0;
    }

    public synchronized int cuEventRecord(MemorySegment event, MemorySegment stream) {
        int r = enterWithContext("cuEventRecord");
        if (r != 0) {
            return r;
        }
        Stream s = streams.get(stream.address());
        if (s == null || !(unrecordedEvents.remove(event.address()) || events.containsKey(event.address()))) {
            return INVALID_HANDLE;
        }
        events.put(event.address(), new EventMark(s, s.queued.size()));
        return 0;
    }

    public synchronized int cuEventSynchronize(MemorySegment event) {
        int r = enterWithContext("cuEventSynchronize");
        if (r != 0) {
            return r;
        }
        if (unrecordedEvents.contains(event.address())) {
            return 0;
        }
        EventMark mark = events.get(event.address());
        if (mark == null) {
            return INVALID_HANDLE;
        }
        run(mark.stream(), mark.position());
        return 0;
    }

    public synchronized int cuEventDestroy(MemorySegment event) {
        int r = enterWithContext("cuEventDestroy_v2");
        if (r != 0) {
            return r;
        }
        boolean known = unrecordedEvents.remove(event.address()) | events.remove(event.address()) != null;
        return known ? 0 : INVALID_HANDLE;
    }

    public synchronized int cuIpcGetMemHandle(MemorySegment handle, long devicePointer) {
        int r = enterWithContext("cuIpcGetMemHandle");
        if (r != 0) {
            return r;
        }
        if (!allocations.containsKey(devicePointer)) {
            return 1;
        }
        handle.fill((byte) 0);
        handle.setString(0, "FAKEIPC");
        handle.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, devicePointer);
        handle.set(ValueLayout.JAVA_BYTE, 63, (byte) 0x5A);
        return 0;
    }

    public synchronized int cuIpcOpenMemHandle(MemorySegment devicePointer, MemorySegment handle, int flags) {
        int r = enterWithContext("cuIpcOpenMemHandle_v2");
        if (r != 0) {
            return r;
        }
        long address = handle.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
        if (!handle.getString(0).equals("FAKEIPC") || handle.get(ValueLayout.JAVA_BYTE, 63) != 0x5A || !allocations.containsKey(address)) {
            return 1;
        }
        ipcOpened.merge(address, 1, Integer::sum);
        devicePointer.set(JAVA_LONG, 0, address);
        return 0;
    }

    public synchronized int cuIpcCloseMemHandle(long devicePointer) {
        int r = enterWithContext("cuIpcCloseMemHandle");
        if (r != 0) {
            return r;
        }
        Integer n = ipcOpened.get(devicePointer);
        if (n == null) {
            return 1;
        }
        if (n == 1) {
            ipcOpened.remove(devicePointer);
        } else {
            ipcOpened.put(devicePointer, n - 1);
        }
        return 0;
    }

    public synchronized int cuGetErrorName(int error, MemorySegment name) {
        MemorySegment text = C_NAMES.get(error);
        name.set(ADDRESS, 0, text == null ? MemorySegment.NULL : text);
        return text == null ? 1 : 0;
    }
}
