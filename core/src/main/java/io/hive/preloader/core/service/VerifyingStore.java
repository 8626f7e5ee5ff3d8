package io.hive.preloader.core.service;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.ContentCheck;
import io.hive.preloader.core.port.LoadProgress;
import io.hive.preloader.core.port.RamStore;
import io.hive.preloader.core.port.ResidentRegion;

import java.util.OptionalLong;

/**
 * The store the cache loads through: it asks the real store to check a model's SHA-256 while it reads, when the
 * source knows the digest and this file version was not verified before, and remembers the versions that passed.
 * A mismatch fails the load with {@link io.hive.preloader.core.model.InvalidModelException}; the store has freed what
 * it read by then, and the cache gives the budget back.
 */
final class VerifyingStore implements RamStore {
    private final RamStore store;
    private final VerifiedDigests verified;

    VerifyingStore(RamStore store, VerifiedDigests verified) {
        this.store = store;
        this.verified = verified;
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
        ContentCheck check = model.digest().filter(d -> !verified.contains(model, d))
                .<ContentCheck>map(d -> ContentCheck.sha256(model, d)).orElse(ContentCheck.NONE);
        ResidentRegion region = store.load(model, progress, check);
        if (check instanceof ContentCheck.Digest digest) {
            verified.add(model, digest.expected());
        }
        return region;
    }

    /** The check is this store's to choose: the cache asks for none. */
    @Override
    public ResidentRegion load(ModelDescriptor model, LoadProgress progress, ContentCheck check) {
        return load(model, progress);
    }
}
