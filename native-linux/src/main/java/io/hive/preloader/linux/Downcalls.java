package io.hive.preloader.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * How {@link Libc} makes a call: every handle is linked to capture errno into a segment allocated for that one call,
 * so concurrent callers never read each other's errno; a function this libc lacks gets a stand-in that answers -1
 * with ENOSYS, as a kernel without the call would; and invokeExact's {@code throws Throwable} is dealt with here.
 */
final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(groupElement("errno"));

    private Downcalls() {
    }

    /** A downcall through one of {@link Libc}'s handles, given the errno segment to pass first. */
    @FunctionalInterface
    interface Downcall {
        long call(MemorySegment callState) throws Throwable;
    }

    /**
     * A libc function linked on its first call: linking one costs milliseconds, all of them together a tenth of a
     * second of a command's start, and a command makes few of these calls. Not for a hot path: the handle is read
     * through a volatile field, which the JIT cannot fold to a constant.
     */
    static final class Symbol {
        private final String name;
        private final FunctionDescriptor function;
        private final Linker.Option[] options;
        private volatile MethodHandle handle;

        Symbol(String name, FunctionDescriptor function, Linker.Option... options) {
            this.name = name;
            this.function = function;
            this.options = options;
        }

        MethodHandle handle() {
            MethodHandle h = handle;
            if (h == null) {
                h = link(name, function, options); // two threads racing link it twice and keep either: both are the same
                handle = h;
            }
            return h;
        }
    }

    /** What a call returned, and errno as it was right after the call (meaningful only when the call failed). */
    record Result(long value, int errno) {
    }

    /** Runs {@code downcall} with an errno segment of its own. */
    static Result invoke(Downcall downcall) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            long value = downcall.call(state);
            return new Result(value, (int) ERRNO.get(state, 0L));
        } catch (Throwable t) {
            throw unchecked(t);
        }
    }

    /** The value of a call that returns -1 on failure; a failure is a {@link LinuxException} naming the call and errno. */
    static long check(Result r, String call, Object what) {
        if (r.value() == -1) {
            throw new LinuxException(call, what, r.errno());
        }
        return r.value();
    }

    /** What a downcall threw, as it is when unchecked (invokeExact declares {@code Throwable}; a downcall throws no other). */
    static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("a libc downcall threw a checked exception", t);
    }

    /** The layout of the errno segment a handle takes first, for a caller that keeps its own (no allocation per call). */
    static StructLayout callStateLayout() {
        return CALL_STATE;
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    // Restricted: the JVM flags of this project grant native access (--enable-native-access=ALL-UNNAMED).
    @SuppressWarnings("restricted")
    static MethodHandle link(String name, FunctionDescriptor function, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.defaultLookup().find(name).map(symbol -> LINKER.downcallHandle(symbol, function, all))
                .orElseGet(() -> answeringEnosys(name, function.toMethodType()));
    }

    /** A stand-in for a function libc lacks: it sets errno to ENOSYS and returns -1, as the missing call would fail. */
    private static MethodHandle answeringEnosys(String name, MethodType c) {
        if (!c.returnType().isPrimitive()) {
            throw new UnsatisfiedLinkError("libc has no " + name);
        }
        try {
            MethodHandle enosys = MethodHandles.lookup().findStatic(Downcalls.class, "enosys", MethodType.methodType(long.class, MemorySegment.class));
            return MethodHandles.dropArguments(MethodHandles.explicitCastArguments(enosys,
                    MethodType.methodType(c.returnType(), MemorySegment.class)), 1, c.parameterList());
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("cannot make a stand-in for " + name, e);
        }
    }

    private static long enosys(MemorySegment callState) {
        ERRNO.set(callState, 0L, Errno.ENOSYS.number());
        return -1;
    }
}
