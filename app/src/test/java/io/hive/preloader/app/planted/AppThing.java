package io.hive.preloader.app.planted;

/** A planted violation: Guice in the app outside its wiring package. */
public class AppThing {
    public com.google.inject.Injector injector;
}
