package io.hive.preloader.adapters.fs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Logs each distinct warning once. A source is asked to list its models on every stats call; an operator needs one
 * line per misplaced file, not one per scrape.
 */
final class Warnings {
    private final System.Logger log;
    private final Set<String> said = ConcurrentHashMap.newKeySet();

    Warnings(System.Logger log) {
        this.log = log;
    }

    void once(String message) {
        if (said.add(message)) {
            log.log(WARNING, message);
        }
    }
}
