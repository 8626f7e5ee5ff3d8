package io.hive.preloader.core.transfer;

import io.hive.preloader.core.cache.Origin;
import io.hive.preloader.core.transfer.TransferPlanner.Pinning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan for every mode × residency × pinning × pipeline. */
class TransferPlannerTest {

    private static String describe(TransferPlan plan) {
        return switch (plan) {
            case TransferPlan.Direct d -> d.pinned() ? "direct pinned" : "direct";
            case TransferPlan.Staged s -> "staged " + s.from().name().toLowerCase();
        };
    }

    @ParameterizedTest(name = "resident, {0}, sink {1}, pipeline {2}: {3}")
    @CsvSource({
            "AUTO,   PINNED,   true,  direct pinned",
            "AUTO,   PINNED,   false, direct pinned",
            "AUTO,   UNNEEDED, true,  direct",
            "AUTO,   REFUSED,  true,  staged ram",
            "AUTO,   REFUSED,  false, direct",
            "DIRECT, PINNED,   true,  direct pinned",
            "DIRECT, REFUSED,  true,  direct",
            "DIRECT, UNNEEDED, false, direct",
            "STAGED, PINNED,   true,  staged ram",
            "STAGED, REFUSED,  true,  staged ram"})
    void plansAResidentModel(PlanMode mode, Pinning pinning, boolean pipeline, String expected) {
        assertThat(describe(TransferPlanner.forResident(mode, pipeline, () -> pinning))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "not resident, {0}, pipeline {1}: {2}")
    @CsvSource({
            "AUTO,   true,  staged disk",
            "AUTO,   false, load first",
            "DIRECT, true,  load first",
            "DIRECT, false, load first",
            "STAGED, true,  staged disk"})
    void plansAModelThatIsNotResident(PlanMode mode, boolean pipeline, String expected) {
        assertThat(TransferPlanner.forAbsent(mode, pipeline).map(TransferPlannerTest::describe).orElse("load first")).isEqualTo(expected);
    }

    @Test
    void asksTheSinkToPinOnlyWhenThePlanDependsOnIt() {
        AtomicInteger asked = new AtomicInteger();

        TransferPlan plan = TransferPlanner.forResident(PlanMode.STAGED, true, () -> {
            asked.incrementAndGet();
            return Pinning.PINNED;
        });

        assertThat(plan).isEqualTo(new TransferPlan.Staged(Origin.RAM, "plan staged"));
        assertThat(asked).hasValue(0);
    }

    @Test
    void saysWhyItChoseAPlan() {
        assertThat(TransferPlanner.forResident(PlanMode.AUTO, true, () -> Pinning.REFUSED).reason())
                .isEqualTo("resident but the sink could not pin the region");
        assertThat(TransferPlanner.forResident(PlanMode.AUTO, false, () -> Pinning.REFUSED).reason())
                .contains("pageable copy");
    }
}
