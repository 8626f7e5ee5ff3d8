package io.hive.preloader.adapters.plantedb;

import io.hive.preloader.app.planted.AppThing;

/** A planted violation: an adapter that knows the app. */
public class KnowsApp {
    public AppThing thing;
}
