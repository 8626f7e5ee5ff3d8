package io.hive.preloader.adapters.hugepages;

import io.hive.preloader.core.model.ModelDescriptor;

/** Refuses a model that would not fit in the memory behind the shared files, before anything is written. */
@FunctionalInterface
interface RoomCheck {
    /** @throws io.hive.preloader.core.port.StoreException when {@code bytes} of pages are not free for {@code model} */
    void ensureRoom(ModelDescriptor model, long bytes);
}
