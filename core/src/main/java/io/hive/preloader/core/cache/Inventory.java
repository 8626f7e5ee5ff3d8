package io.hive.preloader.core.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the cache holds, as a {@link CacheSnapshot}: read without the admission lock from the concurrent index and
 * sets, resident bytes from the last residency sample (asking for the next one when it is old, never measuring here).
 * O(models), no system call.
 */
final class Inventory {
    private final CacheState state;

    Inventory(CacheState state) {
        this.state = state;
    }

    CacheSnapshot snapshot() {
        List<CacheSnapshot.Entry> entries = new ArrayList<>();
        List<ResidentModel> held = new ArrayList<>();
        for (ResidentModel m : state.index.values()) {
            entries.add(entry(m, m.loading() ? CacheSnapshot.State.LOADING : CacheSnapshot.State.RESIDENT, held));
        }
        state.releaser.forEach((m, s) -> entries.add(entry(m, s, held)));
        state.residency.refreshIfStale(held);
        entries.sort(Comparator.comparing(CacheSnapshot.Entry::id));
        return new CacheSnapshot(state.ledger.budget(), state.ledger.charged(), state.ledger.evictions(), state.store.name(),
                state.policy.name(), entries);
    }

    private CacheSnapshot.Entry entry(ResidentModel m, CacheSnapshot.State s, List<ResidentModel> held) {
        if (!m.loading()) {
            held.add(m);
        }
        return new CacheSnapshot.Entry(m.descriptor.id(), m.descriptor, m.bytes(), m.loading() ? 0 : state.residency.residentBytes(m),
                s, state.pinned.contains(m.descriptor.id()), m.leases(), m.loadNanos, m.workers());
    }
}
