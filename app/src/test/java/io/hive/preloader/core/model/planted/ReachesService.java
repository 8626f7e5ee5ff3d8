package io.hive.preloader.core.model.planted;

import io.hive.preloader.core.service.ModelPreloader;

/** A planted violation: the domain reaching into the service layer. */
public class ReachesService {
    public ModelPreloader preloader;
}
