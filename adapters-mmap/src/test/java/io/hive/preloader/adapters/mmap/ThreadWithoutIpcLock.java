package io.hive.preloader.adapters.mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs code on a fresh thread without CAP_IPC_LOCK in its effective set, so that RLIMIT_MEMLOCK applies to it
 * even when the tests run as root. Linux keeps credentials per thread and {@code capset} changes only the
 * calling thread's, so the rest of the JVM keeps its capabilities.
 */
final class ThreadWithoutIpcLock {
    private static final int CAP_IPC_LOCK = 14;
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle CAPGET = link("capget"); // int capget(cap_user_header_t hdrp, cap_user_data_t datap);
    private static final MethodHandle CAPSET = link("capset"); // int capset(cap_user_header_t hdrp, const cap_user_data_t datap);

    private ThreadWithoutIpcLock() {
    }

    /** The body's result, or the exception it threw; fails with IllegalStateException if capset is refused. */
    static <T> T call(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            dropIpcLock();
            return body.call();
        });
        Thread.ofPlatform().name("without CAP_IPC_LOCK").start(task);
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void dropIpcLock() {
        try (Arena arena = Arena.ofConfined()) {
            // struct __user_cap_header_struct { __u32 version; int pid; }, pid 0 meaning this thread
            MemorySegment header = arena.allocate(8, 4);
            header.set(JAVA_INT, 0, LINUX_CAPABILITY_VERSION_3);
            // struct __user_cap_data_struct { __u32 effective, permitted, inheritable; } [2]
            MemorySegment data = arena.allocate(24, 4);
            if ((int) CAPGET.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capget refused");
            }
            data.set(JAVA_INT, 0, data.get(JAVA_INT, 0) & ~(1 << CAP_IPC_LOCK));
            if ((int) CAPSET.invokeExact(header, data) != 0) {
                throw new IllegalStateException("capset refused");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @SuppressWarnings("restricted")
    private static MethodHandle link(String name) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }
}
