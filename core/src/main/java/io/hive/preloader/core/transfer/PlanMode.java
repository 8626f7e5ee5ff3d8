package io.hive.preloader.core.transfer;

/** Which transfer plan an operator asks for: core's choice, or one plan whatever the model's state. */
public enum PlanMode {
    /** Direct when the resident region can be pinned, staged when it cannot or when the model is not resident. */
    AUTO,
    /** Always one pass from the resident region (loaded first when not resident), pinned when the sink can. */
    DIRECT,
    /** Always through the staging pipeline: from RAM when resident, else straight from the file. */
    STAGED
}
