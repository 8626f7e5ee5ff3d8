package io.hive.preloader.core.port;

import io.hive.preloader.core.model.InvalidModelException;
import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.Sha256;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.lang.foreign.ValueLayout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SHA-256 of a load's bytes, computed on a thread of its own while the load goes on: the store reports ranges
 * as they are filled, in any order; this thread digests the bytes in order up to the first gap, then waits for the
 * gap to fill. The JDK's {@code MessageDigest} does the hashing: HotSpot compiles its compression loop to the CPU's
 * SHA extensions (SHA-NI) where it has them, about 1.3-1.5 GB/s a core here, four times {@code sha256sum}'s.
 *
 * <p>Bytes are copied into a heap buffer of {@value #BUFFER} bytes (kept in the L2 cache) and digested in pieces
 * of {@value #PIECE}: the digest's intrinsic is used once its caller is compiled, which takes thousands of calls, so
 * small pieces reach it after tens of MiB where whole buffers would take gigabytes.
 */
final class Sha256Stage implements ContentCheck.Hashing {
    static final int BUFFER = 1 << 20;
    static final int PIECE = 16 << 10;

    private final ModelDescriptor model;
    private final Sha256 expected;
    private final MemorySegment bytes;
    private final long size;
    /**
     * Guards the ranges filled and the contiguous end: held by a reporting store thread for a map insert, by the
     * hashing thread to read the end or wait on it. Never held while hashing.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition moved = lock.newCondition();
    /** Ranges filled beyond {@link #contiguous}, start to end; guarded by {@link #lock}. */
    private final TreeMap<Long, Long> ahead = new TreeMap<>();
    /** Every byte before this one is filled; guarded by {@link #lock}. */
    private long contiguous;
    /** Set under {@link #lock} (to wake the hashing thread), read without it between buffers. */
    private volatile boolean stopped;
    private final Thread thread;
    /** Written by the hashing thread before it ends, read after joining it. */
    private byte[] digest;
    private Throwable failure;

    private Sha256Stage(ModelDescriptor model, Sha256 expected, MemorySegment bytes) {
        this.model = model;
        this.expected = expected;
        this.bytes = bytes;
        this.size = bytes.byteSize();
        this.thread = Thread.ofPlatform().daemon().name("sha256 " + model.id()).unstarted(this::run);
    }

    static Sha256Stage start(ModelDescriptor model, Sha256 expected, MemorySegment bytes) {
        Sha256Stage stage = new Sha256Stage(model, expected, bytes);
        stage.thread.start();
        return stage;
    }

    @Override
    public void filled(long start, long end) {
        if (start < 0 || end > size || start > end) {
            throw new IllegalArgumentException("range " + start + " to " + end + " is outside the " + size + " bytes loaded");
        }
        lock.lock();
        try {
            if (end <= contiguous) {
                return;
            }
            if (start > contiguous) {
                ahead.merge(start, end, Math::max);
                return;
            }
            contiguous = end;
            for (Map.Entry<Long, Long> next = ahead.firstEntry(); next != null && next.getKey() <= contiguous; next = ahead.firstEntry()) {
                contiguous = Math.max(contiguous, next.getValue());
                ahead.pollFirstEntry();
            }
            moved.signal();
        } finally {
            lock.unlock();
        }
    }

    /** How far the hashing may go: waits until the filled bytes reach past {@code hashed}; -1 once stopped. */
    private long filledBeyond(long hashed) throws InterruptedException {
        lock.lock();
        try {
            while (contiguous <= hashed && !stopped) {
                moved.await();
            }
            return stopped ? -1 : contiguous;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[BUFFER];
            long hashed = 0;
            while (hashed < size) {
                long until = filledBeyond(hashed);
                if (until < 0) {
                    return;
                }
                while (hashed < until) {
                    int n = (int) Math.min(BUFFER, until - hashed);
                    MemorySegment.copy(bytes, ValueLayout.JAVA_BYTE, hashed, buffer, 0, n);
                    for (int p = 0; p < n; p += PIECE) {
                        sha.update(buffer, p, Math.min(PIECE, n - p));
                    }
                    hashed += n;
                    if (stopped) {
                        return;
                    }
                }
            }
            digest = sha.digest();
        } catch (NoSuchAlgorithmException e) {
            failure = new StoreException("this Java runtime has no SHA-256 to check " + model.path() + " with", e);
        } catch (InterruptedException e) {
            failure = new StoreException("the check of " + model.path() + " was interrupted", e);
        } catch (RuntimeException | Error e) {
            // InternalError: a page of a mapped file that is gone (SIGBUS), as the JVM reports it. Any other error (no
            // memory for the buffer, say) is told to the load as well, which frees what it read, rather than lost
            // with this thread.
            failure = new StoreException("hashing " + model.path() + " failed: "
                    + (e instanceof InternalError ? e.getMessage() : e.toString()), e);
        }
    }

    @Override
    public void verify() {
        join();
        if (failure instanceof StoreException e) {
            throw e;
        }
        if (digest == null) {
            throw new IllegalStateException("the check of " + model.path() + " was stopped before it was done");
        }
        Sha256 actual = Sha256.of(digest);
        if (!actual.equals(expected)) {
            throw new InvalidModelException(model.id(), model.path().toString(), "its SHA-256 is " + actual.hex() + ", not "
                    + expected.hex() + " as its digest says; the bytes loaded were freed", OptionalLong.empty());
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            moved.signal();
        } finally {
            lock.unlock();
        }
        join();
    }

    /** Waits for the hashing thread through interrupts: it reads memory the caller frees once this returns. */
    private void join() {
        Uninterruptibly.join(List.of(thread));
    }
}
