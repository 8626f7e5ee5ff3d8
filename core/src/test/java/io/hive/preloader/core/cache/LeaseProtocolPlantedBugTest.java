package io.hive.preloader.core.cache;

import io.hive.preloader.core.model.ModelDescriptor;
import org.jetbrains.lincheck.LincheckAssertionError;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The linearizability check of {@link LeaseProtocolLincheckTest} can fail: the same operations over a cache whose
 * entries retire a victim by checking its lease count and then setting the retired bit, two steps where the real
 * one is one compare-and-set. A lease taken between the two is left on a model that is freed under it, and the
 * lease's read of freed bytes makes the history impossible in any sequential order. The stress run catches it.
 */
@Param(name = "model", gen = IntGen.class, conf = "0:2")
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
                Thread.yield(); // as a preempted thread would: a lease may be taken since the count was read
                retire();
                return true;
            }
        };
    }

    /** Not a test here: this class exists to fail it. */
    @Override
    void leasesEvictionsAdmissionsAndReleasesAreLinearizableAndNeverReadFreedBytes() {
    }

    @Test
    void theCheckerCatchesARetireThatChecksThenActs() {
        assertThatThrownBy(() -> stress().check(LeaseProtocolPlantedBugTest.class))
                .isInstanceOf(LincheckAssertionError.class)
                .hasMessageContaining("freed");
    }
}
