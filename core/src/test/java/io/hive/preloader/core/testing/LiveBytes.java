package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Any store, counting the bytes it holds: from the moment a load returns until the region's release has returned
 * (never fewer than it really holds), so that a test can check them against what the cache charges at any moment.
 */
public final class LiveBytes implements RamStore {
    private final RamStore store;
    private final AtomicLong live = new AtomicLong();
    /** Releases that have returned; a check that saw none return while it read is exact (see {@link #underCharged}). */
    private final AtomicLong releases = new AtomicLong();

    public LiveBytes(RamStore store) {
        this.store = store;
    }

    public long liveBytes() {
        return live.get();
    }

    /**
     * Whether the store holds more than {@code charged} says, in one consistent view: the live bytes are read first,
     * the charge next, and the view counts only when no release returned in between (a release that returned may have
     * been given back after the live bytes were read). Bytes are charged before their load starts, so a load that
     * returned before the live bytes were read is charged when the charge is read, unless it was given back.
     *
     * @return false, too, when no consistent view was had in a few tries
     */
    public boolean underCharged(LongSupplier charged) {
        for (int attempt = 0; attempt < 8; attempt++) {
            long before = releases.get();
            long held = live.get();
            long charge = charged.getAsLong();
            if (releases.get() == before) {
                return held > charge;
            }
        }
        return false;
    }

    @Override
    public String name() {
        return store.name();
    }

    @Override
    public Memory memory() {
        return store.memory();
    }

    @Override
    public OptionalLong reservedBytes() {
        return store.reservedBytes();
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        ResidentRegion region = store.load(model, progress);
        long bytes = region.bytes().byteSize();
        live.addAndGet(bytes);
        return new ForwardingRegion(region) {
            @Override
            public void release(Release how) {
                region.release(how);
                live.addAndGet(-bytes);
                releases.incrementAndGet();
            }
        };
    }
}
