package io.hive.preloader.core.planted;

/** A planted violation: a framework in core, outside the app's wiring. */
public class UsesGuice {
    public Class<?> injector() {
        return com.google.inject.Injector.class;
    }

    public com.google.inject.Key<String> key() {
        return com.google.inject.Key.get(String.class);
    }
}
