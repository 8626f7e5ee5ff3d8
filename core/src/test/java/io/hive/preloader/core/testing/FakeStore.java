package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.model.Sha256;
import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RamStore over real native memory whose contents are a function of the model's id and fingerprint, so that a
 * reader can check every byte it gets. It counts loads and live regions, and can be told to hold or fail a load.
 */
public final class FakeStore implements RamStore {
    private final Map<ModelId, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final Map<ModelId, AtomicInteger> hashedLoads = new ConcurrentHashMap<>();
    private final Set<Region> live = ConcurrentHashMap.newKeySet();
    private final Map<ModelId, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<ModelId, RuntimeException> failures = new ConcurrentHashMap<>();
    private final Map<ModelId, RuntimeException> releaseFailures = new ConcurrentHashMap<>();
    private final Map<ModelId, ResidentRegion.Release> releasedAs = new ConcurrentHashMap<>();
    private final AtomicInteger residencyReads = new AtomicInteger();
    private volatile Memory memory = Memory.PRIVATE;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public Memory memory() {
        return memory;
    }

    /** From now on the store says its models are page-cache pages, as the mmap store does. */
    public FakeStore inPageCache() {
        memory = Memory.PAGE_CACHE;
        return this;
    }

    /** The next release of this model throws, leaving its memory allocated (as a failed munmap would). */
    public void failNextRelease(ModelId id, RuntimeException failure) {
        releaseFailures.put(id, failure);
    }

    /** How the last region of this model was let go, if one was. */
    public java.util.Optional<ResidentRegion.Release> releasedAs(ModelId id) {
        return java.util.Optional.ofNullable(releasedAs.get(id));
    }

    /** How many times anyone asked a region how much of it is resident (mincore, for a real store). */
    public int residencyReads() {
        return residencyReads.get();
    }

    /** Loads of this model wait until {@link #open} is called. */
    public void hold(ModelId id) {
        gates.put(id, new CountDownLatch(1));
    }

    public void open(ModelId id) {
        CountDownLatch gate = gates.remove(id);
        if (gate != null) {
            gate.countDown();
        }
    }

    public void failNext(ModelId id, RuntimeException failure) {
        failures.put(id, failure);
    }

    public int loads(ModelId id) {
        AtomicInteger n = loads.get(id);
        return n == null ? 0 : n.get();
    }

    public long liveBytes() {
        return live.stream().mapToLong(r -> r.segment.byteSize()).sum();
    }

    public int liveRegions() {
        return live.size();
    }

    /** The byte at {@code offset} of this version of the model. */
    public static byte expected(ModelDescriptor model, long offset) {
        long seed = model.id().hashCode() * 31L + model.fingerprint().hashCode();
        return (byte) ((offset * 131 + seed) ^ (offset >>> 8));
    }

    public static boolean matches(MemorySegment bytes, ModelDescriptor model) {
        if (bytes.byteSize() != model.size()) {
            return false;
        }
        for (long i = 0; i < model.size(); i += 97) {
            if (bytes.get(ValueLayout.JAVA_BYTE, i) != expected(model, i)) {
                return false;
            }
        }
        return true;
    }

    /** The SHA-256 of the bytes this store loads for this version of the model. */
    public static Sha256 sha256(ModelDescriptor model) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (long i = 0; i < model.size(); i++) {
                sha.update(expected(model, i));
            }
            return Sha256.of(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads of this model that were asked to check a digest. */
    public int hashedLoads(ModelId id) {
        AtomicInteger n = hashedLoads.get(id);
        return n == null ? 0 : n.get();
    }

    /** Checks a digest the way a store that cannot hash beside its reads does: the default, after the load. */
    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        if (check.hashes()) {
            hashedLoads.computeIfAbsent(model.id(), k -> new AtomicInteger()).incrementAndGet();
        }
        return RamStore.super.load(model, progress, check);
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        loads.computeIfAbsent(model.id(), k -> new AtomicInteger()).incrementAndGet();
        CountDownLatch gate = gates.get(model.id());
        if (gate != null) {
            try {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new StoreException("test gate for " + model.id() + " never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted", e);
            }
        }
        RuntimeException failure = failures.remove(model.id());
        if (failure != null) {
            throw failure;
        }
        Arena arena = Arena.ofShared();
        MemorySegment segment = arena.allocate(Math.max(1, model.size())).asSlice(0, model.size());
        for (long i = 0; i < model.size(); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, expected(model, i));
        }
        progress.advanced(model.size(), model.size());
        Region region = new Region(model.id(), arena, segment.asReadOnly());
        live.add(region);
        return region;
    }

    private final class Region implements ResidentRegion {
        final ModelId id;
        final Arena arena;
        final MemorySegment segment;
        private final AtomicInteger releases = new AtomicInteger();

        Region(ModelId id, Arena arena, MemorySegment segment) {
            this.id = id;
            this.arena = arena;
            this.segment = segment;
        }

        @Override
        public MemorySegment bytes() {
            return segment;
        }

        @Override
        public long residentBytes() {
            residencyReads.incrementAndGet();
            return segment.byteSize();
        }

        @Override
        public void release(Release how) {
            RuntimeException failure = releaseFailures.remove(id);
            if (failure != null) {
                throw failure;
            }
            if (releases.incrementAndGet() != 1) {
                throw new AssertionError("region released twice");
            }
            releasedAs.put(id, how);
            arena.close();
            live.remove(this); // only once the memory is gone: live bytes are never fewer than those really held
        }
    }
}
