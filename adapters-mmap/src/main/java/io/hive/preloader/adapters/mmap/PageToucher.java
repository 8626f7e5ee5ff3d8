package io.hive.preloader.adapters.mmap;

import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.StoreException;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Reads one byte of every page of a mapping, so that each page is read from disk and mapped ({@code vmtouch -t}).
 * Files from {@link #SECOND_THREAD_FROM} on are touched by the loading thread and one helper, which claim 64 MiB
 * chunks in turn: on a cold page cache two threads keep more reads in flight. Only the loading thread reports
 * progress, as {@link LoadProgress} requires. Each chunk touched is told to the load's content check, which hashes it
 * behind the touchers.
 */
final class PageToucher {
    static final long CHUNK = 64L << 20;
    static final long SECOND_THREAD_FROM = 256L << 20;

    /** Where each chunk's bytes go, so that the JIT cannot prove the reads useless and drop them. */
    @SuppressWarnings("unused")
    private static volatile byte sink;

    private final MemorySegment mapping;
    private final int pageSize;
    private final String what;
    private final AtomicLong nextChunk = new AtomicLong();
    private final AtomicLong touched = new AtomicLong();
    private final ContentCheck.Hashing hashing;

    private PageToucher(MemorySegment mapping, int pageSize, String what, ContentCheck.Hashing hashing) {
        this.mapping = mapping;
        this.pageSize = pageSize;
        this.what = what;
        this.hashing = hashing;
    }

    /**
     * Returns once every page has been read; reports progress at least every chunk and last exactly the size, and tells
     * {@code hashing} of each chunk once it is in.
     */
    static void touch(MemorySegment mapping, int pageSize, String what, LoadProgress progress, ContentCheck.Hashing hashing) {
        new PageToucher(mapping, pageSize, what, hashing).run(progress);
    }

    private void run(LoadProgress progress) {
        long size = mapping.byteSize();
        if (size < SECOND_THREAD_FROM) {
            touchChunks(progress);
        } else {
            FutureTask<Void> helper = new FutureTask<>(() -> touchChunks(LoadProgress.NONE), null);
            Thread.ofPlatform().daemon().name("page-touch " + what).start(helper);
            try {
                touchChunks(progress);
            } catch (RuntimeException failure) {
                // Stop the helper after its chunk and wait for it: the caller unmaps as soon as this returns.
                nextChunk.set(Long.MAX_VALUE / 2);
                try {
                    awaitHelper(helper, what);
                } catch (RuntimeException second) {
                    failure.addSuppressed(second);
                }
                throw failure;
            }
            awaitHelper(helper, what);
        }
        progress.advanced(size, size);
    }

    private void touchChunks(LoadProgress progress) {
        long size = mapping.byteSize();
        for (long start = nextChunk.getAndAdd(CHUNK); start < size; start = nextChunk.getAndAdd(CHUNK)) {
            long end = Math.min(size, start + CHUNK);
            byte seen = 0;
            long offset = start;
            try {
                for (; offset < end; offset += pageSize) {
                    seen ^= mapping.get(JAVA_BYTE, offset);
                }
            } catch (InternalError fault) {
                // SIGBUS on a mapped page, which the JVM reports this way: the file shrank under the mapping or the
                // disk failed. The load fails; nothing of it is served.
                throw new StoreException(what + " could not be read at byte " + offset
                        + ": the file was truncated or the disk failed while it was loading", fault);
            }
            sink = seen;
            hashing.filled(start, end);
            long done = touched.addAndGet(end - start);
            if (done < size) {
                progress.advanced(done, size);
            }
        }
    }

    /** Waits through interrupts: the helper reads the mapping, which must not be unmapped under it. */
    private static void awaitHelper(FutureTask<Void> helper, String what) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    helper.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof StoreException failure) {
                        throw failure;
                    }
                    throw new StoreException("touching the pages of " + what + " failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
