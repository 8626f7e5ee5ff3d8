package io.hive.preloader.adapters.http;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;
import io.hive.preloader.core.port.Handoff;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;
import io.hive.preloader.core.port.StoreException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small real store for the API's tests: reads the model file into native memory and hands it off as the page-cache
 * file (the bytes it read are in the page cache). Counts loads and live regions, and can be told to fail a load.
 */
final class FileStore implements RamStore {
    private final AtomicInteger loads = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final Map<ModelId, RuntimeException> failures = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "file";
    }

    int loads() {
        return loads.get();
    }

    int liveRegions() {
        return live.get();
    }

    void failNext(ModelId id, RuntimeException failure) {
        failures.put(id, failure);
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        loads.incrementAndGet();
        RuntimeException failure = failures.remove(model.id());
        if (failure != null) {
            throw failure;
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(model.path(), StandardOpenOption.READ)) {
            MemorySegment segment = arena.allocate(Math.max(1, model.size()), 4096).asSlice(0, model.size());
            long done = 0;
            while (done < model.size()) {
                int n = channel.read(segment.asSlice(done).asByteBuffer(), done);
                if (n < 0) {
                    throw new StoreException(model.path() + " ended at byte " + done + " of " + model.size());
                }
                done += n;
                progress.advanced(done, model.size());
            }
            live.incrementAndGet();
            return new Region(arena, segment.asReadOnly(), model);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e instanceof StoreException s ? s : new StoreException("reading " + model.path() + " failed: " + e.getMessage(), e);
        }
    }

    private final class Region implements ResidentRegion {
        private final Arena arena;
        private final MemorySegment bytes;
        private final ModelDescriptor model;

        Region(Arena arena, MemorySegment bytes, ModelDescriptor model) {
            this.arena = arena;
            this.bytes = bytes;
            this.model = model;
        }

        @Override
        public MemorySegment bytes() {
            return bytes;
        }

        @Override
        public long residentBytes() {
            return bytes.byteSize();
        }

        @Override
        public Handoff handoff() {
            return new Handoff.PageCacheFile(model.path());
        }

        @Override
        public void release(Release how) {
            live.decrementAndGet();
            arena.close();
        }
    }
}
