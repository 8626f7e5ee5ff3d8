package io.hive.preloader.core.port;

/** Told how far a load has come; called from the loading thread, so it must be cheap. */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (done, total) -> { };

    void advanced(long bytesDone, long bytesTotal);
}
