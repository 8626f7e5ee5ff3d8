package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.model.ModelId;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Takes models out of the cache on request ({@link ModelCache#evict}) and all of them when it closes. */
final class Removal {
    private final CacheState state;

    Removal(CacheState state) {
        this.state = state;
    }

    /** @see ModelCache#evict */
    boolean evict(ModelId id) {
        return remove(id, entry -> {
            if (state.pinned.contains(id)) {
                throw new ModelPinnedException(id);
            }
            if (entry.loading()) {
                throw new ModelLoadingException(id);
            }
            if (!entry.workerLeases.isEmpty()) {
                throw new ModelInUseException(id, entry.workers());
            }
            return true;
        }, "evicted on request");
    }

    /** @see ModelCache#dropStale */
    boolean dropStale(ModelDescriptor stale) {
        return remove(stale.id(), entry -> !entry.loading() && entry.descriptor.sameVersion(stale), "file replaced on disk");
    }

    /**
     * Takes the model of this id out of the cache when {@code goes} says so under the lock (it may refuse by throwing),
     * then frees it on this thread, or leaves it to its last lease.
     */
    private boolean remove(ModelId id, Predicate<ResidentModel> goes, String reason) {
        ResidentModel entry;
        boolean unleased;
        state.lock.lock();
        try {
            entry = state.index.get(id);
            if (entry == null || !goes.test(entry)) {
                return false;
            }
            state.eviction.remove(entry);
            unleased = state.releaser.retire(entry);
        } finally {
            state.lock.unlock();
        }
        state.releaser.evicted(entry, reason);
        if (unleased) {
            state.releaser.now(entry);
        }
        return true;
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
                } else if (state.releaser.retire(entry)) {
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
