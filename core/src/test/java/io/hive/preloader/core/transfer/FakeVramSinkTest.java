package io.hive.preloader.core.transfer;

import io.hive.preloader.core.port.VramSink;
import io.hive.preloader.core.port.VramSinkContract;
import io.hive.preloader.core.testing.FakeVramSink;

/** The fake sink core's tests rely on meets the contract the real sinks are held to. */
class FakeVramSinkTest extends VramSinkContract {
    @Override
    protected VramSink newSink() {
        return new FakeVramSink(true);
    }

    @Override
    protected int liveAllocations(VramSink sink) {
        return ((FakeVramSink) sink).liveAllocations();
    }

    @Override
    protected boolean registrationsPin() {
        return true;
    }
}
