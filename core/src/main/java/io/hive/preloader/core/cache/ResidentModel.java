package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import io.hive.preloader.core.port.ResidentRegion;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One model's place in the cache, from the moment its bytes are reserved in the budget until they are freed.
 * Every mutable field is guarded by the owning {@link ModelCache}'s lock.
 */
final class ResidentModel {
    final ModelDescriptor descriptor;
    final CompletableFuture<Void> ready = new CompletableFuture<>();
    ResidentRegion region;
    int leases;
    /** Out of the cache's index: no new lease can be taken, and the bytes are freed when the last lease closes. */
    boolean detached;
    long loadNanos;
    /**
     * What is tied to this resident copy of the bytes (a device registration of them), made at most once per key
     * and closed just before the region is released. A concurrent map, not guarded by the cache's lock: an
     * attachment is made under a lease, which keeps the region from being released meanwhile.
     */
    final Map<String, Optional<? extends AutoCloseable>> attachments = new ConcurrentHashMap<>();

    ResidentModel(ModelDescriptor descriptor) {
        this.descriptor = descriptor;
    }

    boolean loading() {
        return region == null;
    }

    long bytes() {
        return descriptor.size();
    }
}
