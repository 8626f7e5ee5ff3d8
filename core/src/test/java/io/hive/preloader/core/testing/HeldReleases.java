package io.hive.preloader.core.testing;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Any store whose releases are held mid-way, as a munmap of 40 GiB takes a while: each release says it started, then
 * waits until {@link #finish} before the store frees the bytes.
 */
public final class HeldReleases implements RamStore {
    private final RamStore store;
    private final CountDownLatch releasing = new CountDownLatch(1);
    private final CountDownLatch mayFinish = new CountDownLatch(1);

    public HeldReleases(RamStore store) {
        this.store = store;
    }

    /** Waits until a release has started; false when none did in time. */
    public boolean awaitReleasing() throws InterruptedException {
        return releasing.await(10, TimeUnit.SECONDS);
    }

    /** Lets every release held, and every later one, free its bytes. */
    public void finish() {
        mayFinish.countDown();
    }

    @Override
    public String name() {
        return "held-releases";
    }

    @Override
    public Memory memory() {
        return store.memory();
    }

    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress) {
        return new ForwardingRegion(store.load(model, progress)) {
            @Override
            public void release(Release how) {
                releasing.countDown();
                try {
                    if (!mayFinish.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never let the release of " + model.id() + " finish");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                region.release(how);
            }
        };
    }
}
