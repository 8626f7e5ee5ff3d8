package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The check of {@link LeaseProtocolLincheckTest} can fail: the same operations over a cache whose entries retire a
 * victim by reading its lease count and then setting the retired bit, two steps where the real one is one
 * compare-and-set. A lease taken between the two is left on a model that is freed under it, and the lease's read of
 * freed bytes makes the history impossible in any sequential order. Nothing widens the window between the two steps:
 * the model checker finds the interleaving by itself.
 */
@Param(name = "model", gen = IntGen.class, conf = "0:2")
@Param(name = "version", gen = IntGen.class, conf = "0:1")
@Param(name = "low", gen = BooleanGen.class)
@Param(name = "thread", gen = ThreadIdGen.class)
public class LeaseProtocolPlantedBugTest extends LeaseProtocolLincheckTest {

    @Override
    ResidentModel entry(ModelDescriptor model) {
        return new ResidentModel(model) {
            @Override
            boolean retireIfUnleased() {
                if (leases() != 0 || retired()) {
                    return false;
                }
                retire();
                return true;
            }
        };
    }

    /** Not a test here: this class exists to fail it. */
    @Override
    void theWholeProtocolIsLinearizableAndNeverReadsFreedBytesOrUndercharges() {
    }

    @Test
    void theModelCheckerCatchesARetireThatChecksThenActs() {
        ModelCheckingOptions smallestRace = atomicSteps(new ModelCheckingOptions())
                .iterations(0)
                .invocationsPerIteration(2_000)
                .addCustomScenario(leaseDuringAdmission());
        assertThatThrownBy(() -> smallestRace.check(LeaseProtocolPlantedBugTest.class))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("freed");
    }
}
