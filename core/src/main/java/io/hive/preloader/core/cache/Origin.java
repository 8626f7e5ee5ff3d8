package io.hive.preloader.core.cache;

/** Which path served a lease: the fast path from RAM, or the slow path that loaded the model from disk first. */
public enum Origin {
    RAM, DISK
}
