package io.hive.preloader.core.transfer;

import io.hive.preloader.core.cache.Origin;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Chooses a {@link TransferPlan}. Pinning a resident region costs a driver call (0.1–0.2 s for 4 GiB) but pays
 * for itself on the first copy: a pinned region moves at the link's ceiling in one pass, a pageable one at a fifth
 * of it, and a staging ring sits in between. So a resident model goes direct when its region can be pinned, and
 * is staged when it cannot; a model that is not resident streams from its file through the ring, which overlaps
 * reading with copying, unless there is no pipeline (then it is loaded first).
 */
public final class TransferPlanner {

    /** What a sink said when asked to register a resident region. */
    public enum Pinning {
        /** The driver page-locked the region. */
        PINNED,
        /** The sink copies from any host memory at full speed (host memory): nothing to pin. */
        UNNEEDED,
        /** The sink could not pin the region. */
        REFUSED
    }

    private TransferPlanner() {
    }

    /**
     * The plan for a model that is not resident, or empty when it must be loaded into RAM first.
     *
     * @param pipelineUsable a pipeline is configured and the sink receives chunks
     */
    public static Optional<TransferPlan> forAbsent(PlanMode mode, boolean pipelineUsable) {
        return switch (mode) {
            case STAGED -> Optional.of(new TransferPlan.Staged(Origin.DISK, "plan staged; not resident: streamed from its file"));
            case AUTO -> pipelineUsable
                    ? Optional.of(new TransferPlan.Staged(Origin.DISK, "not resident: streamed from its file through the staging ring"))
                    : Optional.empty();
            case DIRECT -> Optional.empty();
        };
    }

    /**
     * The plan for a resident model. {@code pin} registers the region with the sink (a registration kept while the
     * model stays resident) and is called only when the plan depends on it.
     */
    public static TransferPlan forResident(PlanMode mode, boolean pipelineUsable, Supplier<Pinning> pin) {
        return switch (mode) {
            case STAGED -> new TransferPlan.Staged(Origin.RAM, "plan staged");
            case DIRECT -> switch (pin.get()) {
                case PINNED -> new TransferPlan.Direct(true, "plan direct; region pinned");
                case UNNEEDED -> new TransferPlan.Direct(false, "plan direct; the sink needs no pinning");
                case REFUSED -> new TransferPlan.Direct(false, "plan direct; the sink could not pin the region: pageable copy");
            };
            case AUTO -> switch (pin.get()) {
                case PINNED -> new TransferPlan.Direct(true, "resident and pinned");
                case UNNEEDED -> new TransferPlan.Direct(false, "resident; the sink needs no pinning");
                case REFUSED -> pipelineUsable
                        ? new TransferPlan.Staged(Origin.RAM, "resident but the sink could not pin the region")
                        : new TransferPlan.Direct(false, "resident, not pinnable and no staging pipeline: pageable copy");
            };
        };
    }
}
