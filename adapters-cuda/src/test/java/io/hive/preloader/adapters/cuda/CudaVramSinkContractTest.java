package io.hive.preloader.adapters.cuda;

import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.port.VramSinkContract;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CUDA sink, over the fake driver, receives chunks as every chunk-receiving sink must. */
class CudaVramSinkContractTest extends VramSinkContract {
    private final List<FakeCuda> drivers = new ArrayList<>();
    private final List<CudaVramSink> sinks = new ArrayList<>();

    @Override
    protected VramSink newSink() {
        FakeCuda driver = new FakeCuda();
        drivers.add(driver);
        CudaVramSink sink = CudaVramSink.open(driver.table());
        sinks.add(sink);
        return sink;
    }

    @Override
    protected int liveAllocations(VramSink sink) {
        return drivers.get(sinks.indexOf((CudaVramSink) sink)).liveAllocations();
    }

    @Override
    protected boolean registrationsPin() {
        return true;
    }

    @AfterEach
    void nothingIsLeftAndNothingWasMisused() {
        sinks.forEach(CudaVramSink::close);
        for (FakeCuda driver : drivers) {
            assertThat(driver.leaks()).isEmpty();
            assertThat(driver.misuse()).isEmpty();
            assertThat(driver.retainedContexts()).isZero();
        }
    }
}
