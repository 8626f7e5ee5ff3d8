package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelId;

import java.util.ArrayList;
import java.util.List;

/** Takes models out of the cache on request ({@link ModelCache#evict}) and all of them when it closes. */
final class Removal {
    private final CacheState state;

    Removal(CacheState state) {
        this.state = state;
    }

    /** @see ModelCache#evict */
    boolean evict(ModelId id) {
        ResidentModel entry;
        boolean unleased;
        state.lock.lock();
        try {
            entry = state.index.get(id);
            if (entry == null) {
                return false;
            }
            if (state.pinned.contains(id)) {
                throw new ModelPinnedException(id);
            }
            if (entry.loading()) {
                throw new ModelLoadingException(id);
            }
            if (!entry.workerLeases.isEmpty()) {
                throw new ModelInUseException(id, entry.workers());
            }
            state.eviction.remove(entry);
            unleased = retire(entry);
        } finally {
            state.lock.unlock();
        }
        state.releaser.evicted(entry, "evicted on request");
        if (unleased) {
            state.releaser.now(entry);
        }
        return true;
    }

    /** Retires a model out of the index; true when it had no lease (it is then the caller's to free). Under the lock. */
    private boolean retire(ResidentModel entry) {
        state.releaser.draining.add(entry);
        if (entry.retire()) {
            state.releaser.owned(entry);
            return true;
        }
        return false;
    }

    /** @see ModelCache#close */
    void close() {
        List<ResidentModel> unleased = new ArrayList<>();
        List<Admission> pending;
        state.lock.lock();
        try {
            if (state.closed) {
                return;
            }
            state.closed = true;
            state.releaser.closing();
            pending = state.waiting.drain();
            // Closing is not an eviction: nothing is counted or reported, the bytes are just let go.
            for (ResidentModel entry : List.copyOf(state.index.values())) {
                state.index.remove(entry.descriptor.id(), entry);
                if (entry.loading()) {
                    entry.retire(); // its loader frees it when the load is done
                } else if (retire(entry)) {
                    unleased.add(entry);
                }
            }
        } finally {
            state.lock.unlock();
        }
        pending.forEach(a -> a.abandon(new CacheClosedException()));
        unleased.forEach(state.releaser::now);
    }
}
