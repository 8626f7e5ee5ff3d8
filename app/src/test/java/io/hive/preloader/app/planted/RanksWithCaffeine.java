package io.hive.preloader.app.planted;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/** A planted violation: Caffeine used outside its adapter. */
public class RanksWithCaffeine {
    public Cache<String, Integer> ranking = Caffeine.newBuilder().maximumSize(10).build();
}
