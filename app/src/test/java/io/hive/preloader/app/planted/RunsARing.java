package io.hive.preloader.app.planted;

import com.lmax.disruptor.RingBuffer;

/** A planted violation: the Disruptor outside the staging pipeline's adapter. */
public class RunsARing {
    public RingBuffer<Object> ring;
}
