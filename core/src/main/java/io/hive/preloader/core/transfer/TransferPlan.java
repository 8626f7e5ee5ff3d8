package io.hive.preloader.core.transfer;

import io.hive.preloader.core.cache.Origin;

import java.util.Objects;

/** How one transfer moves a model's bytes to a device, and why core chose that way. */
public sealed interface TransferPlan {

    /** Why this plan, in words for a log line or a stats page. */
    String reason();

    /**
     * One pass from the resident region, kept registered with the sink while it stays resident.
     *
     * @param pinned whether the driver page-locked the region (false: the sink needs no pinning, or could not pin)
     */
    record Direct(boolean pinned, String reason) implements TransferPlan {
        public Direct {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Through the staging pipeline's ring of slots.
     *
     * @param from {@link Origin#RAM} for a resident model, {@link Origin#DISK} when streamed straight from its file
     */
    record Staged(Origin from, String reason) implements TransferPlan {
        public Staged {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
