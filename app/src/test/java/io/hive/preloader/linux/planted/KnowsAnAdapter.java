package io.hive.preloader.linux.planted;

import io.hive.preloader.adapters.plantedb.OtherAdapter;

/** A planted violation: the native library knowing an adapter. */
public class KnowsAnAdapter {
    public OtherAdapter adapter = new OtherAdapter();
}
