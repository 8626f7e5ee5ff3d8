package io.hive.preloader.adapters.disruptor;

import com.lmax.disruptor.ExceptionHandler;

import java.util.function.Consumer;

/** Whatever a stage throws, as it handles a slot, starts or stops, fails the transfer (the ring's default would halt it silently). */
record StageFailures(Consumer<Throwable> fail) implements ExceptionHandler<StagingSlot> {
    @Override
    public void handleEventException(Throwable ex, long sequence, StagingSlot slot) {
        fail.accept(ex);
    }

    @Override
    public void handleOnStartException(Throwable ex) {
        fail.accept(ex);
    }

    @Override
    public void handleOnShutdownException(Throwable ex) {
        fail.accept(ex);
    }
}
